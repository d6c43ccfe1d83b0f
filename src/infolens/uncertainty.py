"""Confidence intervals for every estimator family: what ``ci=0.95`` computes.

The functional API (``entropy``, ``mutual_information``, ``conditional_mutual_information``)
calls :func:`attach_interval` with the estimator it used. Which interval a method gets is data,
the table :data:`INTERVAL_METHODS` (registry name -> interval function), each a procedure valid
for that family:

* **k-NN** (``kl``, ``ksg``, ``frenzel_pompe``, ``mixed_knn``, and ``copula_ensemble``, the
  ``"auto"`` MI, the largest of k-NN-type candidates): *subsampling into disjoint parts*
  with the variance extrapolated in 1/N (Holmes & Nemenman [1]_). The sample is cut at random
  into ``n`` disjoint parts for each ``n`` in :data:`SUBSAMPLING_SPLITS`; the spread of the ``n``
  part estimates gives the variance at size ``N / n``; ``N * variance`` is pooled over the splits
  (weighted by degrees of freedom) and scaled to the full ``N``. The interval is
  ``estimate +- t * SE`` with Student's t on the pooled degrees of freedom. The means of the part
  estimates, regressed on ``N / size``, give the **bias diagnostic**: the slope is the drift of
  the estimate from ``N`` to the ``N -> inf`` extrapolation under a 1/N law (a lower bound on the
  bias when it decays more slowly, as k-NN bias usually does). When the slope is significant
  (:data:`DRIFT_Z` standard errors) and larger than :data:`DRIFT_SHARE` of the estimate's
  standard error, a :class:`~infolens.exceptions.BiasWarning` says the interval probably misses
  the truth. Plain
  bootstrap is *not* used here: resampling with replacement creates zero distances.
* **Gaussian / Gaussian copula**: the asymptotic sampling distribution of the log-determinant
  estimator under Gaussianity. For MI and CMI the delta method on the (partial) canonical
  correlations ``r_i`` gives ``Var = sum r_i^2 / n + d_x d_y / (2 n^2)`` (the second term is
  the chi-square variance of ``2 n I`` under independence, so the interval does not collapse at
  zero) [2]_; normal-score ranks have the same asymptotic variance under a Gaussian copula [3]_.
  For the Gaussian entropy the variance is exact: ``1/4 sum_{i=1..d} psi'((N - i) / 2)``.
* **Discrete** (``plugin``, ``miller_madow``, ``binning``): the nonparametric bootstrap over
  samples with **BCa** (bias-corrected and accelerated) percentiles [4]_. A bootstrap resample
  only re-weights the observed joint symbols, so each replicate is one multinomial draw of the
  joint counts (exactly the same distribution, no re-coding); the acceleration comes from the
  exact jackknife, one distinct value per joint symbol. Bins are those of the full sample.
  Where the bias is so large that BCa's percentiles collapse into one tail, the *basic*
  (reflected) bootstrap interval is used instead (:data:`BCA_MIN_TAIL`; the interval's
  ``method`` says which).
* **Neural bounds**: the spread over the held-out evaluation batches of the chosen checkpoint,
  when the estimator records them in ``details["held_out_batch_values"]``; this is the
  evaluation noise at a fixed critic, not training-seed variability (an estimate without at
  least two held-out batches raises a clear error).

Every interval is in nats (the functional API converts), stored as
:class:`~infolens.ConfidenceInterval` in ``Estimate.ci``; the procedure's diagnostics go to
``Estimate.details["interval"]``.

References
----------
.. [1] C. M. Holmes, I. Nemenman, "Estimation of mutual information for real-valued data with
   error bars and controlled bias", Phys. Rev. E 100, 022404 (2019), arXiv:1903.09280.
.. [2] T. W. Anderson, *An Introduction to Multivariate Statistical Analysis*, 3rd ed., Wiley
   (2003), sec. 12.7 (asymptotic distribution of sample canonical correlations).
.. [3] C. A. J. Klaassen, J. A. Wellner, "Efficient estimation in the bivariate normal copula
   model: normal margins are least favourable", Bernoulli 3, 55-77 (1997).
.. [4] B. Efron, "Better bootstrap confidence intervals", J. Am. Stat. Assoc. 82, 171-185 (1987).
"""

import dataclasses
import functools
import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse
from scipy import stats
from scipy.special import polygamma

from infolens._estimate import ConfidenceInterval, Estimate
from infolens._typing import ArrayLike, FloatArray, IntArray, RNGLike
from infolens._validation import check_array, check_categorical, check_rng
from infolens.estimators._base import Estimator
from infolens.exceptions import (
    BiasWarning,
    InsufficientSamplesError,
    InvalidParameterError,
    UnsupportedQuantityError,
)

IntervalFunction = Callable[
    [Estimate, Estimator, str, list[Any], float, np.random.Generator],
    tuple[ConfidenceInterval, dict[str, Any]],
]

SUBSAMPLING_SPLITS: tuple[int, ...] = (2, 3, 4, 5)
"""Numbers of disjoint parts the k-NN sample is cut into (one random partition each).

Parts of at least N/5: ``size x variance`` of KSG still grows between N/10 and N (measured:
0.71 at 100 samples, 0.88 at 250, 0.90 at 1,000 for a Gaussian pair), so smaller parts would
underestimate the variance at N."""
DRIFT_Z = 4.0
"""A drift is reported as bias when its slope is this many standard errors from zero (the SE
itself has 10 degrees of freedom: about 0.3 % false alarms for an unbiased estimator) ..."""
DRIFT_SHARE = 0.5
"""... and, per unit of N/size, at least this share of the estimate's standard error."""
MIN_PART_SIZE = 20
"""Smallest part a split may produce; splits with smaller parts are skipped."""
N_BOOTSTRAP = 1000
"""Bootstrap replicates of the discrete estimators."""
BCA_MIN_TAIL = 0.005
"""BCa is used only while its adjusted percentile levels stay within ``[0.005, 0.995]``.

When the plug-in's bias is several standard errors (many symbols for the sample size), nearly
every replicate lies on one side of the estimate, the bias correction ``z0`` runs to the clip,
and BCa's levels collapse into one extreme tail: a zero-width interval beside the estimate
(300 equiprobable bins, N = 4,096: 5.67091 [5.64911, 5.64911]). Past this limit the interval is
the basic bootstrap ``[2 theta - q_hi, 2 theta - q_lo]`` (clipped at 0), which reflects the
replicates' shift back and so corrects the first-order bias."""
_BATCH = 128  # bootstrap replicates / jackknife rows evaluated at once


def check_level(ci: object) -> float:
    """Return the confidence level ``ci`` as a float in (0, 1); raise a clear error otherwise.

    Examples
    --------
    >>> check_level(0.95)
    0.95
    >>> check_level(1.5)
    Traceback (most recent call last):
    ...
    infolens.exceptions.InvalidParameterError: The 'ci' parameter must be a confidence level, \
a float in the open interval (0, 1) (e.g. 0.95). Got 1.5 instead.
    """
    if (
        isinstance(ci, bool)
        or not isinstance(ci, numbers.Real)
        or not math.isfinite(float(ci))
        or not 0.0 < float(ci) < 1.0
    ):
        raise InvalidParameterError(
            "The 'ci' parameter must be a confidence level, a float in the open interval (0, 1) "
            f"(e.g. 0.95). Got {ci!r} instead."
        )
    return float(ci)


def attach_interval(
    estimate: Estimate,
    estimator: Estimator,
    quantity: str,
    data: Sequence[ArrayLike],
    level: float,
    rng: RNGLike = None,
) -> Estimate:
    """Return ``estimate`` with a confidence interval at ``level`` in ``ci`` (nats).

    Parameters
    ----------
    estimate : Estimate
        The point estimate, in nats, computed by ``estimator`` on ``data``.
    estimator : Estimator
        The estimator instance that produced it (its registry name picks the procedure).
    quantity : {"entropy", "mutual_information", "conditional_mutual_information"}
        What ``estimate`` estimates.
    data : list of array-like
        ``[x]``, ``[x, y]`` or ``[x, y, z]``, as given to the estimator.
    level : float
        Confidence level in (0, 1).
    rng : int, numpy.random.Generator or None, default=None
        Randomness of the partitions / bootstrap draws; the same seed gives the same interval.

    Returns
    -------
    Estimate
        The same estimate with ``ci`` set and ``details["interval"]`` holding the diagnostics
        of the procedure (in nats).

    Raises
    ------
    UnsupportedQuantityError
        If the method cannot provide an interval (yet).
    InsufficientSamplesError
        If there are too few samples to build the interval (the message says how many).
    InvalidParameterError
        If ``level`` is not in (0, 1).

    Warns
    -----
    BiasWarning
        For k-NN methods, when the estimate drifts with the sample size by more than its
        standard error.

    Examples
    --------
    >>> import numpy as np
    >>> from infolens.estimators.gaussian import GaussianEstimator
    >>> rng = np.random.default_rng(0)
    >>> xy = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=2000)
    >>> est = GaussianEstimator().mutual_information(xy[:, 0], xy[:, 1])
    >>> ci = attach_interval(est, GaussianEstimator(), "mutual_information",
    ...                      [xy[:, 0], xy[:, 1]], 0.95, rng=0).ci
    >>> ci.low < 0.2231 < ci.high  # the truth -ln(1 - 0.36) / 2
    True
    """
    level = check_level(level)
    generator = check_rng(rng)
    name = getattr(estimator, "name", estimate.method)
    function = INTERVAL_METHODS.get(name) or INTERVAL_METHODS.get(estimate.method)
    if function is None:
        raise UnsupportedQuantityError(
            f"Method {name!r} cannot provide a confidence interval: no valid procedure is "
            f"known for it. Methods with intervals: {', '.join(sorted(INTERVAL_METHODS))}."
        )
    interval, diagnostics = function(estimate, estimator, quantity, list(data), level, generator)
    details = {**estimate.details, "interval": diagnostics}
    return dataclasses.replace(estimate, ci=interval, details=details)


def _symmetric(
    estimate: Estimate, half: float, level: float, method: str, se: float
) -> ConfidenceInterval:
    """Return the interval ``estimate.value ± half``."""
    return ConfidenceInterval(
        low=estimate.value - half,
        high=estimate.value + half,
        level=level,
        method=method,
        standard_error=se,
    )


# -- k-NN: subsampling into disjoint parts -----------------------------------------------------


def _rows(data: ArrayLike, name: str) -> np.ndarray[Any, Any]:
    """Return the samples as an array whose first axis indexes them (the estimator validates)."""
    array = np.asarray(data)
    if array.ndim == 0:
        raise InsufficientSamplesError(f"Input {name} is a scalar, not an array of samples.")
    return array


def subsampling_interval(
    estimate: Estimate,
    estimator: Estimator,
    quantity: str,
    data: list[Any],
    level: float,
    rng: np.random.Generator,
) -> tuple[ConfidenceInterval, dict[str, Any]]:
    """Interval from disjoint subsamples, variance extrapolated in 1/N (Holmes–Nemenman).

    See the module docstring. Returns the interval and the diagnostics (per split: the number
    of parts, mean part size, mean and variance of the part estimates; the pooled ``N * Var``,
    degrees of freedom, the bias drift and its standard error).
    """
    arrays = [_rows(a, name) for a, name in zip(data, "xyz", strict=False)]
    n = len(arrays[0])
    splits = [s for s in SUBSAMPLING_SPLITS if n // s >= MIN_PART_SIZE]
    if len(splits) < 2:
        needed = SUBSAMPLING_SPLITS[1] * MIN_PART_SIZE
        raise InsufficientSamplesError(
            f"A subsampling interval for method {estimate.method!r} needs at least {needed} "
            f"samples (at least {SUBSAMPLING_SPLITS[0]} and {SUBSAMPLING_SPLITS[1]} disjoint "
            f"parts of {MIN_PART_SIZE} samples); got {n}."
        )
    compute = getattr(estimator, quantity)
    sizes, means, variances, dofs = [], [], [], []
    n_warnings = 0
    for parts in splits:
        order = rng.permutation(n)
        values = []
        for index in np.array_split(order, parts):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                part = compute(*[a[index] for a in arrays], rng=rng)
            n_warnings += len(caught)
            values.append(part.value)
        sizes.append(n / parts)
        means.append(float(np.mean(values)))
        variances.append(float(np.var(values, ddof=1)))
        dofs.append(parts - 1)
    size, dof = np.asarray(sizes), np.asarray(dofs, dtype=np.float64)
    scaled = np.asarray(variances) * size  # Var(m) * m, constant when Var ~ 1/m
    n_var = float((dof * scaled).sum() / dof.sum())
    total_dof = int(dof.sum())
    se = math.sqrt(n_var / n)
    # Bias diagnostic: mean estimate against x = N / size (x = 1: the full sample), each with
    # variance ~ n_var / N (treated as independent: the means share the data, so slope_se is
    # conservative); the slope is the drift between N and N -> inf under a 1/N law.
    x = np.concatenate([[1.0], n / size])
    y = np.concatenate([[estimate.value], means])
    slope, _ = np.polyfit(x, y, 1)
    slope_se = se / math.sqrt(float(((x - x.mean()) ** 2).sum()))
    drift = float(slope)  # estimate at N minus its N -> inf extrapolation
    half = float(stats.t.ppf(0.5 + level / 2, total_dof)) * se
    interval = _symmetric(estimate, half, level, "subsampling", se)
    biased = abs(drift) >= DRIFT_Z * slope_se and abs(drift) > DRIFT_SHARE * se
    diagnostics: dict[str, Any] = {
        "method": "subsampling",
        "splits": splits,
        "part_sizes": [float(s) for s in size],
        "part_means": means,
        "part_variances": variances,
        "n_times_variance": n_var,
        "dof": total_dof,
        "bias": drift,
        "bias_se": slope_se,
        "extrapolated": estimate.value - drift,
        "biased": biased,
        "part_warnings": n_warnings,
    }
    if biased:
        warnings.warn(
            f"The {estimate.method} estimate drifts with the sample size: on disjoint parts "
            f"of N/{max(splits)} ... N/{splits[0]} samples it changes by {drift:+.3g} nats per "
            f"unit of N/size (z = {drift / slope_se:.1f}) against a standard error of {se:.3g} "
            f"at N = {n}, so it is biased by about that much or more (k-NN bias usually decays "
            f"slower than 1/N); the {level:.0%} interval probably does not cover the true value "
            "(details['interval']). Use more samples, or a method with less bias here.",
            BiasWarning,
            stacklevel=5,  # the caller of mutual_information(...) / entropy(...)
        )
    return interval, diagnostics


# -- Gaussian: asymptotic distribution of the log-determinant estimator ------------------------


def _usable(block: FloatArray) -> FloatArray:
    """Centre the non-constant columns of ``block`` (constant ones carry no information)."""
    keep = np.ptp(block, axis=0) > 0
    kept = block[:, keep]
    return np.asarray(kept - kept.mean(axis=0))


def _orthonormal(block: FloatArray) -> FloatArray:
    if block.shape[1] == 0:
        return block
    q, _ = np.linalg.qr(block)
    return np.asarray(q)


def canonical_correlations(x: FloatArray, y: FloatArray, z: FloatArray | None) -> FloatArray:
    """Sample (partial, given ``z``) canonical correlations of ``x`` and ``y``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((500, 2))
    >>> r = canonical_correlations(x, x @ [[1.0, 0.0], [0.0, 0.0]] + 0.01, None)
    >>> np.round(r, 6).tolist()
    [1.0]
    """
    bx, by = _usable(x), _usable(y)
    if z is not None:
        qz = _orthonormal(_usable(z))
        bx, by = bx - qz @ (qz.T @ bx), by - qz @ (qz.T @ by)
    if bx.shape[1] == 0 or by.shape[1] == 0:
        return np.zeros(0)
    r = np.linalg.svd(_orthonormal(bx).T @ _orthonormal(by), compute_uv=False)
    return np.asarray(np.clip(r, 0.0, 1.0))


def gaussian_interval(
    estimate: Estimate,
    estimator: Estimator,
    quantity: str,
    data: list[Any],
    level: float,
    rng: np.random.Generator,
) -> tuple[ConfidenceInterval, dict[str, Any]]:
    """Asymptotic normal interval of the Gaussian (or Gaussian-copula) estimator.

    See the module docstring for the variance formulas and their assumptions.
    """
    arrays = [check_array(a, name=name) for a, name in zip(data, "xyz", strict=False)]
    if estimator.name == "gaussian_copula":
        from infolens.estimators.gaussian_copula import normal_scores

        arrays = [normal_scores(a) for a in arrays]
    n = len(arrays[0])
    if quantity == "entropy":
        dim = arrays[0].shape[1]
        variance = 0.25 * float(polygamma(1, (n - np.arange(1, dim + 1)) / 2).sum())
        diagnostics: dict[str, Any] = {"method": "asymptotic", "formula": "exact log-det"}
    else:
        z = arrays[2] if len(arrays) == 3 else None
        r = canonical_correlations(arrays[0], arrays[1], z)
        dof = n - (0 if z is None else _usable(z).shape[1])
        if dof < 3:
            raise InsufficientSamplesError(
                f"An asymptotic interval for method {estimate.method!r} needs more samples "
                f"than conditioning dimensions + 3; got {n}."
            )
        dims = _usable(arrays[0]).shape[1] * _usable(arrays[1]).shape[1]
        variance = float((r**2).sum()) / dof + dims / (2.0 * dof**2)
        diagnostics = {
            "method": "asymptotic",
            "formula": "delta method on canonical correlations",
            "canonical_correlations": r.tolist(),
        }
    se = math.sqrt(variance)
    half = float(stats.norm.ppf(0.5 + level / 2)) * se
    interval = _symmetric(estimate, half, level, "asymptotic", se)
    return interval, diagnostics


# -- discrete: BCa bootstrap over samples, as multinomial draws of the joint counts -----------


def _symbol_codes(estimator: Estimator, data: list[Any]) -> tuple[list[IntArray], bool]:
    from infolens.estimators._discrete import encode

    codes = [encode(check_categorical(a, name=name)) for a, name in zip(data, "xyz", strict=False)]
    return codes, bool(estimator._corrected())  # type: ignore[attr-defined]


def _bin_codes(estimator: Estimator, data: list[Any]) -> tuple[list[IntArray], bool]:
    from infolens.estimators._discrete import joint_codes

    bins = estimator.bin_indices  # type: ignore[attr-defined]
    codes = [
        joint_codes(list(bins(check_array(a, name=name)).T))
        for a, name in zip(data, "xyz", strict=False)
    ]
    return codes, bool(estimator.miller_madow)  # type: ignore[attr-defined]


Coder = Callable[[Estimator, list[Any]], tuple[list[IntArray], bool]]


class _CountModel:
    """The information quantity as a function of the counts of the observed joint symbols."""

    def __init__(self, codes: list[IntArray], corrected: bool) -> None:
        from infolens.estimators._discrete import joint_codes

        cells, first, self.counts = np.unique(
            joint_codes(codes), return_index=True, return_counts=True
        )
        self.n = int(len(codes[0]))
        self.corrected = corrected
        per_cell = [c[first] for c in codes]  # each variable's code in every joint cell
        if len(codes) == 1:
            subsets: list[tuple[list[int], float]] = [([0], 1.0)]
        elif len(codes) == 2:
            subsets = [([0], 1.0), ([1], 1.0), ([0, 1], -1.0)]
        else:
            subsets = [([0, 2], 1.0), ([1, 2], 1.0), ([0, 1, 2], -1.0), ([2], -1.0)]
        self.terms = []
        for members, sign in subsets:
            group = joint_codes([per_cell[m] for m in members])
            matrix = scipy.sparse.csr_matrix(
                (np.ones(len(group)), (np.arange(len(group)), group)),
                shape=(len(group), int(group.max()) + 1),
            )
            self.terms.append((matrix, sign))

    def values(self, counts: np.ndarray[Any, Any]) -> FloatArray:
        """Return the quantity (nats) for each row of joint-cell ``counts`` (B, cells)."""
        total = np.zeros(len(counts))
        for matrix, sign in self.terms:
            grouped = np.asarray(counts @ matrix)
            size = grouped.sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                plogp = np.where(grouped > 0, grouped * np.log(grouped), 0.0).sum(axis=1)
            entropy = np.log(size) - plogp / size
            if self.corrected:
                entropy += ((grouped > 0).sum(axis=1) - 1) / (2.0 * size)
            total += sign * entropy
        return total


def bootstrap_replicates(
    codes: Sequence[IntArray],
    *,
    corrected: bool = False,
    n_bootstrap: int = N_BOOTSTRAP,
    rng: RNGLike = None,
) -> tuple[float, FloatArray]:
    """Return a plug-in quantity of integer ``codes`` and its bootstrap replicates, in nats.

    One code array gives the entropy, two the mutual information, three the conditional MI
    given the third (Miller–Madow when ``corrected``). Each replicate is one resample of the
    samples with replacement, drawn as a multinomial draw of the joint counts (the procedure
    of :func:`bootstrap_interval`, without its jackknife).

    Examples
    --------
    >>> value, replicates = bootstrap_replicates([np.array([0, 0, 1, 1])], rng=0)
    >>> round(value, 6), replicates.shape, bool(replicates.max() <= value + 1e-12)
    (0.693147, (1000,), True)
    """
    generator = check_rng(rng)
    model = _CountModel([np.asarray(c) for c in codes], corrected)
    observed = model.counts.astype(np.float64)
    value = float(model.values(observed[None, :])[0])
    replicates = np.concatenate(
        [
            model.values(
                generator.multinomial(
                    model.n, observed / model.n, size=min(_BATCH, n_bootstrap - start)
                )
            )
            for start in range(0, n_bootstrap, _BATCH)
        ]
    )
    return value, replicates


def bootstrap_interval(
    estimate: Estimate,
    estimator: Estimator,
    quantity: str,
    data: list[Any],
    level: float,
    rng: np.random.Generator,
    *,
    coder: Coder,
) -> tuple[ConfidenceInterval, dict[str, Any]]:
    """BCa bootstrap interval of a count-based estimator (see the module docstring)."""
    codes, corrected = coder(estimator, data)
    model = _CountModel(codes, corrected)
    observed = model.counts.astype(np.float64)
    n, n_cells = model.n, len(observed)
    if n < 2:
        raise InsufficientSamplesError(
            f"A bootstrap interval for method {estimate.method!r} needs at least 2 samples; "
            f"got {n}."
        )
    theta = float(model.values(observed[None, :])[0])
    replicates = np.concatenate(
        [
            model.values(rng.multinomial(n, observed / n, size=min(_BATCH, N_BOOTSTRAP - start)))
            for start in range(0, N_BOOTSTRAP, _BATCH)
        ]
    )
    # Jackknife: leaving out one sample of cell j gives the same value for every sample of j.
    jack = np.concatenate(
        [
            model.values(observed[None, :] - np.eye(n_cells)[start : start + _BATCH])
            for start in range(0, n_cells, _BATCH)
        ]
    )
    se = float(replicates.std(ddof=1))
    diagnostics: dict[str, Any] = {
        "method": "bca_bootstrap",
        "n_bootstrap": N_BOOTSTRAP,
        "bootstrap_mean": float(replicates.mean()),
        "joint_symbols": n_cells,
    }
    alpha = (1.0 - level) / 2
    spread = float(np.ptp(replicates))
    if spread <= 1e-12 * max(1.0, abs(theta)):  # every resample gives the same value
        low = high = theta
        diagnostics.update(bias_correction=0.0, acceleration=0.0)
    else:
        below = (replicates < theta).sum() + 0.5 * (replicates == theta).sum()
        share = np.clip(below / N_BOOTSTRAP, 0.5 / N_BOOTSTRAP, 1 - 0.5 / N_BOOTSTRAP)
        z0 = float(stats.norm.ppf(share))
        deviation = (observed * jack).sum() / n - jack
        second = float((observed * deviation**2).sum())
        accel = float((observed * deviation**3).sum()) / (6.0 * second**1.5) if second > 0 else 0.0
        quantiles = []
        for a in (alpha, 1.0 - alpha):
            z = z0 + float(stats.norm.ppf(a))
            quantiles.append(float(stats.norm.cdf(z0 + z / (1.0 - accel * z))))
        diagnostics.update(bias_correction=z0, acceleration=accel, bca_levels=quantiles)
        if min(quantiles) >= BCA_MIN_TAIL and max(quantiles) <= 1.0 - BCA_MIN_TAIL:
            low, high = (float(v) for v in np.quantile(replicates, quantiles))
        else:  # BCa breaks down: the basic (reflected) interval, which removes the shift
            upper, lower = np.quantile(replicates, [1.0 - alpha, alpha])
            low, high = max(0.0, 2.0 * theta - float(upper)), max(0.0, 2.0 * theta - float(lower))
            diagnostics["method"] = "basic_bootstrap"
    interval = ConfidenceInterval(
        low=low,
        high=high,
        level=level,
        method=diagnostics["method"],
        standard_error=se,
    )
    return interval, diagnostics


# -- neural bounds: spread over the held-out evaluation batches --------------------------------


def held_out_batch_interval(
    estimate: Estimate,
    estimator: Estimator,
    quantity: str,
    data: list[Any],
    level: float,
    rng: np.random.Generator,
) -> tuple[ConfidenceInterval, dict[str, Any]]:
    """Student-t interval from the per-batch held-out values of a neural bound.

    This is the evaluation noise of the chosen critic on the held-out split, not the spread
    over training runs or seeds, and it says nothing about the gap between a bound and the MI.
    """
    values = estimate.details.get("held_out_batch_values")
    if values is None or len(values) < 2:
        raise UnsupportedQuantityError(
            f"Method {estimate.method!r} cannot provide a confidence interval here: it needs the "
            "per-batch held-out values it is built from "
            "(details['held_out_batch_values'], at least 2 batches). Repeat the estimate over "
            "seeds, or use a k-NN method (ksg) for an interval."
        )
    batch = np.asarray(values, dtype=np.float64)
    se = float(batch.std(ddof=1) / math.sqrt(batch.size))
    half = float(stats.t.ppf(0.5 + level / 2, batch.size - 1)) * se
    interval = _symmetric(estimate, half, level, "held_out_batches", se)
    return interval, {"method": "held_out_batches", "n_batches": int(batch.size)}


_NEURAL = ("club", "dv", "infonce", "js", "mine", "nwj", "smile", "wdm")

INTERVAL_METHODS: dict[str, IntervalFunction] = {
    "kl": subsampling_interval,
    "ksg": subsampling_interval,
    "frenzel_pompe": subsampling_interval,
    "mixed_knn": subsampling_interval,
    "copula_ensemble": subsampling_interval,  # the "auto" MI: the largest of k-NN-type candidates
    "gaussian": gaussian_interval,
    "gaussian_copula": gaussian_interval,
    "plugin": functools.partial(bootstrap_interval, coder=_symbol_codes),
    "miller_madow": functools.partial(bootstrap_interval, coder=_symbol_codes),
    "binning": functools.partial(bootstrap_interval, coder=_bin_codes),
    **dict.fromkeys(_NEURAL, held_out_batch_interval),
}
"""Registry name -> interval procedure. A method missing here cannot give an interval."""

INTERVAL_KIND: dict[str, str] = {
    "kl": "subsampling",
    "ksg": "subsampling",
    "frenzel_pompe": "subsampling",
    "mixed_knn": "subsampling",
    "copula_ensemble": "subsampling",
    "gaussian": "asymptotic",
    "gaussian_copula": "asymptotic",
    "plugin": "bca_bootstrap",
    "miller_madow": "bca_bootstrap",
    "binning": "bca_bootstrap",
    **dict.fromkeys(_NEURAL, "held_out_batches"),
}
"""Registry name -> the ``ConfidenceInterval.method`` its intervals carry."""
