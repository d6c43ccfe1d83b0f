"""The ``method="auto"`` rule: which estimator the functional API uses when none is named.

``method="auto"`` picks an estimator from the data types, by this documented rule:

* every input holds integers, booleans, strings or categories → ``"miller_madow"``;
* some numeric input is an integer/boolean array or a column with repeated values →
  ``"mixed_knn"`` (MI and CMI; exact handling of ties, never jittered KSG), except float MI
  data with more than :data:`COMPRESS_MIN_DIM` columns in a variable (images with saturated
  pixels, wide layers), which go to ``"copula_ensemble"``;
* otherwise (continuous floats, no repeats) → ``"kl"`` (entropy), ``"frenzel_pompe"`` (CMI) or,
  for MI, ``"copula_ensemble"`` (:class:`CopulaEnsembleEstimator`): the largest of a few
  estimates that are each biased low (or lower bounds) on per-coordinate rank-normalised data.

Entropy of floats with repeated values stays ``"kl"``, which then explains why a differential
entropy does not exist. The rule is recorded in ``Estimate.details["auto"]``; the ensemble also
records every candidate and the one it kept. The rule and how it was tuned (on a named subset of
the benchmark, with the rest held out) are in ``docs/accuracy.md``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, final

import numpy as np

from infolens._typing import ArrayLike, FloatArray, Quantity, RNGLike
from infolens._validation import (
    check_array,
    check_categorical,
    check_consistent_length,
    check_int,
    check_rng,
)
from infolens.estimators._base import Estimate, Estimator
from infolens.exceptions import InvalidDataTypeError, InvalidInputError, InvalidParameterError

_CONTINUOUS_METHOD: dict[Quantity, str] = {
    "entropy": "kl",
    "mutual_information": "copula_ensemble",
    "conditional_mutual_information": "frenzel_pompe",
}

#: Joint dimension up to which KSG runs with k = 3; above it k = 1 (less bias, more variance).
LOW_DIM = 4
#: Joint dimension above which the KSG candidate is skipped (its bias exceeds every floor).
KNN_MAX_DIM = 20
#: KSG value (nats) from which the strong-dependence correction (LNC) replaces KSG ...
HIGH_MI = 3.0
#: ... in at most this many joint dimensions.
LNC_MAX_DIM = 10
#: Per-variable dimension above which the PCA-compression candidate is added.
COMPRESS_MIN_DIM = 20
#: Smallest eigenvalue of a variable's normal-score correlation matrix below which the
#: Gaussian-copula candidate is dropped (columns nearly collinear, e.g. pixels of an image
#: manifold: the log-determinants then blow up instead of bounding the MI).
MIN_EIGENVALUE = 1e-3


def choose_method(quantity: Quantity, data: Sequence[ArrayLike]) -> tuple[str, str]:
    """Return the method ``"auto"`` picks for ``quantity`` on ``data``, and the reason.

    Examples
    --------
    >>> choose_method("mutual_information", [[0.1, 0.5, 0.2], [1.0, 2.0, 3.0]])[0]
    'copula_ensemble'
    >>> choose_method("entropy", [["a", "b", "a"]])[0]
    'miller_madow'
    """
    arrays = [check_categorical(a, name=name) for a, name in zip(data, "xyz", strict=False)]
    kinds = [a.dtype.kind for a in arrays]
    if all(kind != "f" for kind in kinds):
        return "miller_madow", "all inputs are discrete (integer, boolean or categorical)"
    if any(kind in "OUS" for kind in kinds):
        raise InvalidDataTypeError(
            "method='auto' cannot mix category labels with continuous data: encode the labels "
            "as integers and use method='mixed_knn', or choose a method explicitly."
        )
    if quantity != "entropy":
        if any(kind in "biu" for kind in kinds):
            return "mixed_knn", "continuous data mixed with integer/boolean data"
        if any(np.unique(col).size < col.size for a in arrays for col in a.T):
            wide = max(a.shape[1] if a.ndim == 2 else 1 for a in arrays) > COMPRESS_MIN_DIM
            if quantity == "mutual_information" and wide:
                return (
                    "copula_ensemble",
                    f"continuous data with repeated values in more than {COMPRESS_MIN_DIM} "
                    "columns (e.g. saturated pixels): mixed_knn cannot work in so many "
                    "dimensions; the ensemble's compression and floors (see docs/accuracy.md)",
                )
            return "mixed_knn", "continuous data with repeated values"
    if quantity == "mutual_information":
        return (
            "copula_ensemble",
            "continuous data without repeated values: the largest of the copula k-NN, "
            "Gaussian-copula and data-processing floors (see docs/accuracy.md)",
        )
    return _CONTINUOUS_METHOD[quantity], "continuous data without repeated values"


def _smallest_correlation_eigenvalue(scores: FloatArray) -> float:
    if scores.shape[1] == 1:
        return 1.0
    spread = scores.std(axis=0)
    if not np.all(spread > 0):
        return 0.0
    return float(np.linalg.eigvalsh(np.corrcoef(scores, rowvar=False))[0])


def _radii(scores: FloatArray) -> FloatArray:
    return np.asarray(np.sqrt((scores**2).sum(axis=1)))


@final
@dataclass(frozen=True, kw_only=True)
class CopulaEnsembleEstimator(Estimator):
    """The tuned ``auto`` estimator of I(X; Y) for continuous data: a maximum of floors.

    Every column is first replaced by the normal scores of its ranks (MI is invariant under
    strictly monotone maps of each coordinate, and the k-NN estimators behave best on Gaussian
    margins). Then these candidates are computed, each of them a lower bound or, for the k-NN
    ones, biased low outside very small samples:

    ``gaussian_copula``
        Gaussian MI of the normal scores: exact for Gaussian copulas, a floor otherwise;
        dropped when a variable's columns are nearly collinear (:data:`MIN_EIGENVALUE`).
    ``ksg`` / ``lnc``
        KSG-1 on the normal scores with ``k = 3`` up to :data:`LOW_DIM` joint dimensions and
        ``k = 1`` above (KSG's negative bias grows with k and dimension); skipped above
        :data:`KNN_MAX_DIM` joint dimensions. When KSG exceeds :data:`HIGH_MI` nats in at most
        :data:`LNC_MAX_DIM` dimensions, the local non-uniformity correction (``method="lnc"``,
        on the standardised data rather than the normal scores, whose equal ranks align
        neighbourhoods exactly) joins: KSG saturates for strongly dependent variables.
    ``radial``
        KSG (k = 3) between the norms ``|x|`` and ``|y|`` of the normal scores, when both
        variables have two or more columns: a data-processing lower bound that sees dependence
        carried by a shared scale (heavy tails, volatility), which coordinatewise k-NN in several
        dimensions recovers only slowly.
    ``compression``
        PCA to 4 components per variable, then copula KSG with k = 1 (``method="compression"``),
        when a variable has more than :data:`COMPRESS_MIN_DIM` columns: a lower bound by data
        processing.

    The estimate is the largest candidate. ``details`` holds every candidate, the one kept
    (``chosen``) and why some were skipped.

    Parameters
    ----------
    k : int or None, default=None
        Neighbours of the KSG candidate; ``None``: 3, or 1 above :data:`LOW_DIM` dimensions.
    n_jobs : int, default=-1
        Threads of the neighbour searches (-1: all cores).

    Notes
    -----
    Taking the maximum of estimates that are biased low is accurate when at least one of them is
    nearly unbiased for the data at hand; it adds a small positive bias (the noise of the largest
    candidate) when several are close to the truth. The estimate is deterministic for a fixed
    ``rng`` (normal scores are deterministic; ``rng`` only reaches the estimators' tie breaking).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((5000, 3))
    >>> y = np.exp(x + rng.standard_normal((5000, 3)))  # truth 3 ln(2) / 2 = 1.04 nats
    >>> est = CopulaEnsembleEstimator().mutual_information(x, y, rng=0)
    >>> bool(abs(est.value - 1.5 * np.log(2)) < 0.05), est.details["chosen"]
    (True, 'gaussian_copula')
    """

    name = "copula_ensemble"
    k: int | None = None
    n_jobs: int = -1

    def __post_init__(self) -> None:
        if self.k is not None:
            check_int(self.k, name="k", owner="CopulaEnsembleEstimator")
        n_jobs = self.n_jobs
        if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
            raise InvalidParameterError(
                "The 'n_jobs' parameter of CopulaEnsembleEstimator must be -1 (all cores) or an "
                f"int in the range [1, inf). Got {n_jobs!r} instead."
            )

    def mutual_information(self, x: ArrayLike, y: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Return the largest candidate estimate of I(X; Y) in nats (see the class notes)."""
        from infolens.estimators.gaussian import gaussian_cmi
        from infolens.estimators.gaussian_copula import normal_scores
        from infolens.estimators.ksg import KSGEstimator
        from infolens.estimators.lnc import LNCEstimator

        generator = check_rng(rng)
        xa, ya = check_array(x, name="x"), check_array(y, name="y")
        n = check_consistent_length([xa, ya])
        zx, zy = normal_scores(xa), normal_scores(ya)
        dx, dy = zx.shape[1], zy.shape[1]
        dim = dx + dy
        candidates: dict[str, float] = {}
        skipped: dict[str, str] = {}
        conditioning = min(
            _smallest_correlation_eigenvalue(zx), _smallest_correlation_eigenvalue(zy)
        )
        if conditioning < MIN_EIGENVALUE:
            skipped["gaussian_copula"] = (
                f"near-collinear columns (smallest correlation eigenvalue {conditioning:.2g} < "
                f"{MIN_EIGENVALUE:g}): the Gaussian log-determinants are not a floor there"
            )
        else:
            try:
                value, _ = gaussian_cmi(zx, zy, None, bias_correction=True)
                candidates["gaussian_copula"] = float(value)
            except InvalidInputError as err:  # singular joint covariance: Y a function of X
                skipped["gaussian_copula"] = str(err)
        k = self.k if self.k is not None else (3 if dim <= LOW_DIM else 1)
        if dim > KNN_MAX_DIM:
            skipped["ksg"] = f"{dim} joint dimensions > {KNN_MAX_DIM}"
        elif n > k:
            knn = KSGEstimator(k=k, n_jobs=self.n_jobs).mutual_information(zx, zy, rng=generator)
            candidates["ksg"] = knn.value
            if knn.value > HIGH_MI and dim <= LNC_MAX_DIM and n > dim + 1:
                # On the standardised data, not the normal scores: at high MI many samples have
                # equal ranks in X and Y, and such exactly aligned neighbourhoods have a PCA box
                # of volume ~0 (an unbounded "correction").
                lnc = LNCEstimator(n_jobs=self.n_jobs).mutual_information(xa, ya, rng=generator)
                candidates["lnc"] = lnc.value
        else:
            skipped["ksg"] = f"{n} samples <= k = {k}"
        if min(dx, dy) >= 2 and n > 3:
            candidates["radial"] = (
                KSGEstimator(k=3, n_jobs=self.n_jobs)
                .mutual_information(_radii(zx), _radii(zy), rng=generator)
                .value
            )
        if max(dx, dy) > COMPRESS_MIN_DIM and n > 5:
            from infolens.estimators.compression import CompressionEstimator

            candidates["compression"] = (
                CompressionEstimator(n_components=4, k=1)
                .mutual_information(xa, ya, rng=generator)
                .value
            )
        chosen = max(candidates, key=lambda name: candidates[name])
        details: dict[str, Any] = {
            "candidates": candidates,
            "chosen": chosen,
            "k": k,
            "skipped": skipped,
        }
        return self._estimate(
            candidates[chosen], n_samples=n, quantity="mutual_information", **details
        )
