"""Compression-based MI: reduce X and Y to a few principal components, then a k-NN estimate."""

from dataclasses import dataclass
from typing import final

import numpy as np
import scipy.linalg

from infolens._typing import ArrayLike, FloatArray, RNGLike
from infolens._validation import check_array, check_choice, check_consistent_length, check_int
from infolens.estimators._base import Estimate, Estimator
from infolens.estimators.gaussian_copula import normal_scores

ESTIMATORS = ("ksg", "lnc")


def principal_components(data: FloatArray, n_components: int) -> tuple[FloatArray, float]:
    """Project the centred ``data`` on its ``n_components`` leading principal axes.

    Returns the scores ``(n, min(n_components, dim))`` and the fraction of the total variance
    they keep (1.0 when nothing is dropped). Data with at most ``n_components`` columns are
    returned centred but otherwise unchanged (an invertible map: no information is lost).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> signal = rng.standard_normal((500, 1)) @ np.ones((1, 6))
    >>> data = signal + 1e-3 * rng.standard_normal((500, 6))
    >>> scores, kept = principal_components(data, 1)
    >>> scores.shape, kept > 0.999
    ((500, 1), True)
    """
    centred = data - data.mean(axis=0)
    if data.shape[1] <= n_components:
        return np.asarray(centred), 1.0
    second = centred.T @ centred / len(centred)
    dim = second.shape[0]
    # Only the leading eigenpairs (LAPACK's syevr): far cheaper than a full decomposition.
    values, vectors = scipy.linalg.eigh(
        second, subset_by_index=[dim - n_components, dim - 1], driver="evr"
    )
    order = np.argsort(values)[::-1]
    total = float(np.trace(second))
    kept = float(values.sum() / total) if total > 0 else 1.0
    return np.asarray(centred @ vectors[:, order]), kept


@final
@dataclass(frozen=True, kw_only=True)
class CompressionEstimator(Estimator):
    """MI of high-dimensional X and Y through compressed representations (Butakov et al.).

    X and Y are each projected on their ``n_components`` leading principal components (PCA
    fitted on the sample itself), optionally mapped to normal scores column by column, and the
    MI of the compressed pair is estimated with KSG or LNC [1]_.

    Parameters
    ----------
    n_components : int, default=4
        Principal components kept for each of X and Y (variables with fewer columns are kept
        whole).
    estimator : {"ksg", "lnc"}, default="ksg"
        k-NN estimator applied to the compressed pair.
    k : int, default=5
        Neighbours of that estimator.
    copula : bool, default=True
        Replace each compressed column by the normal scores of its ranks before the k-NN step
        (invariant to monotone distortions of the components).

    Notes
    -----
    By the data-processing inequality ``I(f(X); g(Y)) <= I(X; Y)`` for any maps ``f, g``: the
    compressed MI is a **lower bound** on the true MI, tight when the projections keep all the
    shared information (the data lie, up to an injective map, in the span of the kept
    components). Fitting the PCA on the same sample makes ``f`` and ``g`` data-dependent, which
    this ignores (negligible for a few components and thousands of samples); the k-NN estimate
    of the compressed MI has its own (usually negative) bias. ``details`` records the variance
    fraction each projection keeps. A small autoencoder in place of PCA (as in the paper) is not
    implemented: use PCA, or compress with your own network and call ``method="ksg"``.

    References
    ----------
    .. [1] I. Butakov, A. Tolmachev, S. Malanchuk, A. Neopryatnaya, A. Frolov, S. Egorov,
       "Information bottleneck analysis of deep neural networks via lossy compression",
       ICLR (2024).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal((4000, 1))
    >>> x = z @ rng.standard_normal((1, 30)) + 0.05 * rng.standard_normal((4000, 30))
    >>> y = z + rng.standard_normal((4000, 1))
    >>> est = CompressionEstimator(n_components=1).mutual_information(x, y)
    >>> bool(abs(est.value - 0.5 * np.log(2)) < 0.05)  # truth: ln(2)/2, up to the tiny noise in x
    True
    """

    name = "compression"
    n_components: int = 4
    estimator: str = "ksg"
    k: int = 5
    copula: bool = True

    def __post_init__(self) -> None:
        check_int(self.n_components, name="n_components", owner="CompressionEstimator")
        check_int(self.k, name="k", owner="CompressionEstimator")
        check_choice(self.estimator, ESTIMATORS, name="estimator")

    def mutual_information(self, x: ArrayLike, y: ArrayLike, *, rng: RNGLike = None) -> Estimate:
        """Return the compressed (lower-bound) I(X; Y) in nats from ``(n_samples, dim)`` data."""
        xa, ya = check_array(x, name="x"), check_array(y, name="y")
        n = check_consistent_length([xa, ya])
        cx, kept_x = principal_components(xa, self.n_components)
        cy, kept_y = principal_components(ya, self.n_components)
        if self.copula:
            cx, cy = normal_scores(cx), normal_scores(cy)
        if self.estimator == "lnc":
            from infolens.estimators.lnc import LNCEstimator

            inner = LNCEstimator(k=self.k).mutual_information(cx, cy, rng=rng)
        else:
            from infolens.estimators.ksg import KSGEstimator

            inner = KSGEstimator(k=self.k).mutual_information(cx, cy, rng=rng)
        return self._estimate(
            inner.value,
            n_samples=n,
            quantity="mutual_information",
            variance_kept_x=kept_x,
            variance_kept_y=kept_y,
            dims=(cx.shape[1], cy.shape[1]),
            inner=dict(inner.details),
            lower_bound=True,
        )
