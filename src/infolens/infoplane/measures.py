"""Per-layer information estimators of the information plane (numpy only).

Each estimator takes the activations ``t`` of one layer on a fixed probe set, shape
``(n_samples, width)``, and the integer class labels ``y`` of the same samples, and returns a
:class:`~infolens.infoplane._base.LayerInformation` in **nats** with I(X;T), I(T;Y) and
I(X;T|Y) (``.to("bits")`` for the papers' unit). Every estimator follows the
:class:`~infolens.infoplane._base.LayerEstimator` protocol: a registry ``name``, a ``version``,
``identity()`` (the key of its stored records) and ``estimate(t, y, *, rng=None)``.

What every number assumes (deterministic networks have infinite or constant true MI; every finite
value is a property of the analyst's binning or noise, Saxe et al. 2018 App. C):

* the probe inputs are distinct and equally likely (e.g. all 4096 patterns of the 12-bit task), so
  for binned activations I(X;T) = H(T) and I(X;T|Y) = H(T|Y);
* binning estimators use plug-in entropies of the joint bin of all units of the layer;
* KDE estimators treat T = h + N(0, sigma^2 I) and return the Kolchinsky–Tracey pairwise-distance
  upper bound (``bound="upper"``) or the Bhattacharyya lower bound (``bound="lower"``);
* the Gaussian and k-NN estimators add the same kind of analysis noise (stated in their config).

Intervals (opt-in, ``ci=0.95`` on the binning estimators; the default ``ci=None`` costs
nothing): I(X;T) and I(T;Y) get a **basic bootstrap** interval over the probe samples
(:func:`binned_intervals`). It covers the plug-in value a fresh probe set of the same size,
drawn from the same input distribution, would give *for this network and these bins*; it says
nothing about the binning itself (which sets the value, Saxe et al. 2018) nor about seeds.
"""

import dataclasses
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from infolens._estimate import ConfidenceInterval
from infolens._typing import FloatArray, IntArray, RNGLike
from infolens._validation import check_choice, check_int, check_positive_real, check_rng
from infolens.estimators._discrete import encode, entropy_of_codes
from infolens.exceptions import InvalidParameterError
from infolens.infoplane._base import (
    LayerEstimator,
    LayerInformation,
    SavedEpochs,
    check_activations,
    make_identity,
)

_BLOCK = 1024


def _row_codes(bins: IntArray) -> IntArray:
    """One code per row of small non-negative bin indices (mixed radix when it fits in int64)."""
    base = int(bins.max()) + 1
    if bins.min() >= 0 and bins.shape[1] * math.log2(max(base, 2)) < 62:
        keys = bins.astype(np.int64) @ (base ** np.arange(bins.shape[1], dtype=np.int64))
        return np.asarray(np.unique(keys, return_inverse=True)[1], dtype=np.intp).reshape(-1)
    return encode(bins)


#: A binning interval is withheld (``None``) when more than this share of the probe samples are
#: alone in their cell (their bin for I(X;T), their bin and label for I(T;Y)): the plug-in is
#: then biased by more than a bootstrap can see. Measured 95 % coverage (150 repetitions):
#: 0.95 / 0.87 (I(X;T) / I(T;Y)) at 0.2 % singletons, 0.87 / 0.61 at 5 %, 0.69 / 0.23 at 17 %.
MAX_SINGLETON_SHARE = 0.05


def _basic_bootstrap(
    codes: list[IntArray], level: float, rng: np.random.Generator
) -> ConfidenceInterval:
    """Return the basic (reverse-percentile) bootstrap interval of a plug-in of ``codes``."""
    from infolens.uncertainty import bootstrap_replicates

    value, replicates = bootstrap_replicates(codes, rng=rng)
    below, above = np.quantile(replicates, [(1.0 - level) / 2, (1.0 + level) / 2])
    return ConfidenceInterval(  # entropies and MI are >= 0: clipping keeps the coverage
        low=max(float(2.0 * value - above), 0.0),
        high=max(float(2.0 * value - below), 0.0),
        level=level,
        method="basic_bootstrap",
        standard_error=float(replicates.std(ddof=1)),
    )


def _singleton_share(codes: IntArray) -> float:
    counts = np.unique(codes, return_counts=True)[1]
    return float((counts == 1).sum()) / len(codes)


def binned_intervals(
    t: IntArray, y: IntArray, level: float, rng: RNGLike = None
) -> tuple[ConfidenceInterval | None, ConfidenceInterval | None]:
    """Bootstrap intervals of I(X;T) = H(T) and I(T;Y) from bin codes ``t`` and labels ``y``.

    The probe samples are resampled with replacement (1000 times, as multinomial draws of the
    counts, :func:`infolens.uncertainty.bootstrap_replicates`); the bins stay those of the full
    probe set. The interval is the *basic* bootstrap one, ``[2 v - q_high, 2 v - q_low]``, whose
    centre moves by the bootstrap estimate of the plug-in's bias, so it may exclude the plug-in
    value ``v`` itself when that bias exceeds the sampling spread; it is clipped at 0. (The BCa
    percentiles are not used: when the bias is a few standard errors, as is typical here, BCa
    collapses onto the largest replicates.)

    Assumptions: the probe inputs are an i.i.d. sample of the input distribution, the network is
    fixed, and the bins are well sampled; a quantity whose cells hold more than
    :data:`MAX_SINGLETON_SHARE` singletons gets ``None``. When the probe set is the whole input
    population (e.g. all 4096 patterns of the 12-bit task) there is no sampling error, and the
    interval answers the hypothetical "what if the probe set were a sample".

    Returns
    -------
    (ConfidenceInterval or None, ConfidenceInterval or None)
        The intervals of I(X;T) and I(T;Y), in nats.

    Examples
    --------
    >>> t, y = np.repeat([0, 1, 2, 3], [400, 300, 200, 100]), np.tile([0, 1], 500)
    >>> xt, ty = binned_intervals(t, y, 0.95, rng=0)
    >>> h_t = -sum(p * math.log(p) for p in (0.4, 0.3, 0.2, 0.1))  # the plug-in value
    >>> bool(xt.low < h_t < xt.high), xt.method, round(ty.low, 6)  # MI >= 0: clipped at 0
    (True, 'basic_bootstrap', 0.0)
    """
    generator = check_rng(rng)
    joint = t * (int(y.max()) + 1) + y
    xt = (
        _basic_bootstrap([t], level, generator)
        if _singleton_share(t) <= MAX_SINGLETON_SHARE
        else None
    )
    ty = (
        _basic_bootstrap([t, y], level, generator)
        if _singleton_share(joint) <= MAX_SINGLETON_SHARE
        else None
    )
    return xt, ty


def _binned_information(bins: IntArray, y: IntArray) -> LayerInformation:
    t = _row_codes(bins)
    h_t = entropy_of_codes(t, miller_madow=False)
    h_y = entropy_of_codes(y, miller_madow=False)
    h_ty = entropy_of_codes(t * (int(y.max()) + 1) + y, miller_madow=False)
    return LayerInformation(i_xt=h_t, i_ty=h_t + h_y - h_ty, i_xt_given_y=h_ty - h_y)


def _binned(bins: IntArray, y: IntArray, ci: float | None, rng: RNGLike) -> LayerInformation:
    """Return the binned information, with its intervals when ``ci`` is a level."""
    info = _binned_information(bins, y)
    if ci is None:
        return info
    xt, ty = binned_intervals(_row_codes(bins), y, ci, rng)
    return dataclasses.replace(info, i_xt_ci=xt, i_ty_ci=ty)


def _check_ci(ci: object) -> float | None:
    """Return ``ci`` checked as a confidence level in (0, 1), or None."""
    if ci is None:
        return None  # scipy (behind infolens.uncertainty) is imported only for intervals
    from infolens.uncertainty import check_level

    return check_level(ci)


def _ci_param(ci: float | None) -> dict[str, float]:
    """Return the identity parameter of an interval level: none without one (old ids kept)."""
    return {} if ci is None else {"ci": ci}


def labels_to_codes(labels: Any) -> IntArray:
    """Integer codes ``0..K-1`` of class labels (1-D integer/str labels or one-hot rows)."""
    array = np.asarray(labels)
    if array.ndim == 2 and array.shape[1] > 1:
        array = array.argmax(axis=1)
    return np.unique(array.reshape(len(array), -1), axis=0, return_inverse=True)[1].reshape(-1)


def _edges_summary(edges: tuple[float, ...]) -> dict[str, Any]:
    e = np.asarray(edges)
    return {"n_edges": int(e.size), "low": float(e[0]), "high": float(e[-1])}


@dataclass(frozen=True, kw_only=True)
class FixedBinning:
    """Bin every unit with the same fixed edges (Shwartz-Ziv & Tishby; IDNNs semantics).

    Parameters
    ----------
    edges : tuple of float, default=30 edges ``linspace(-1, 1, 30)``
        Bin edges; a value ``v`` falls in bin ``digitize(v, edges)``, so values beyond the last
        edge (e.g. exactly 1.0) get their own bin, as in the original code. Saxe's "bins even in
        net input" control is ``edges=tuple(np.tanh(np.linspace(-50, 50, 30)))``.

    Examples
    --------
    >>> t = np.array([[-0.9], [0.1], [0.2], [0.95]])
    >>> FixedBinning().estimate(t, np.array([0, 0, 1, 1])).to("bits").i_xt
    2.0
    """

    name: ClassVar[str] = "fixed_binning"
    version: ClassVar[int] = 1
    edges: tuple[float, ...] = field(default_factory=lambda: tuple(np.linspace(-1, 1, 30)))
    ci: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "ci", _check_ci(self.ci))
        edges = np.asarray(self.edges, dtype=float)
        if edges.ndim != 1 or edges.size < 2 or not np.all(np.diff(edges) > 0):
            raise InvalidParameterError(
                "The 'edges' parameter of FixedBinning must be a strictly increasing sequence of "
                f"at least 2 numbers. Got {self.edges!r} instead."
            )

    def identity(self) -> str:
        """Return the versioned identity that keys this estimator's records."""
        return make_identity(self.name, self.version, edges=self.edges, **_ci_param(self.ci))

    def config(self) -> dict[str, Any]:
        """Return the estimator and its assumptions, as recorded beside every value."""
        return {"estimator": self.name, **_edges_summary(self.edges), **_ci_param(self.ci)}

    def estimate(self, t: FloatArray, y: IntArray, *, rng: RNGLike = None) -> LayerInformation:
        """Return the layer's information in nats (inputs assumed distinct, see module doc)."""
        t, y = check_activations(t, y, owner="FixedBinning")
        return _binned(np.digitize(t, np.asarray(self.edges)), y, self.ci, rng)


@dataclass(frozen=True, kw_only=True)
class RangeBinning:
    """``n_edges`` even edges over ``[low, high]`` (Saxe et al.'s ReLU setting: one global range).

    ``high=None`` means the maximum activity: post hoc, :meth:`fit` takes it over all saved
    epochs and all layers (``scope="global"``, Saxe et al.) or per layer (``scope="layer"``);
    applied directly (or online by the tracker) it is the maximum of the activations given.
    ``ci`` asks for intervals, as for :class:`FixedBinning`.
    """

    name: ClassVar[str] = "range_binning"
    version: ClassVar[int] = 1
    n_edges: int = 100
    low: float = 0.0
    high: float | None = None
    scope: Literal["global", "layer"] = "global"
    ci: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "ci", _check_ci(self.ci))
        check_int(self.n_edges, name="n_edges", owner="RangeBinning", low=2)
        check_choice(self.scope, ("global", "layer"), name="scope")

    def identity(self) -> str:
        """Return the versioned identity that keys this estimator's records."""
        return make_identity(
            self.name,
            self.version,
            n_edges=self.n_edges,
            low=self.low,
            high=self.high,
            scope=self.scope,
            **_ci_param(self.ci),
        )

    def config(self) -> dict[str, Any]:
        """Return the estimator and its assumptions, as recorded beside every value."""
        return {
            "estimator": self.name,
            "n_edges": self.n_edges,
            "low": self.low,
            "high": self.high,
            "scope": self.scope,
            **_ci_param(self.ci),
        }

    def with_high(self, high: float) -> "RangeBinning":
        """Return a copy with the upper end of the range fixed."""
        return RangeBinning(
            n_edges=self.n_edges, low=self.low, high=high, scope=self.scope, ci=self.ci
        )

    def fit(self, activations: SavedEpochs) -> Mapping[str, LayerEstimator]:
        """Fix ``high`` from the saved activations (finite values only); nothing if it is set."""
        if self.high is not None:
            return {}
        maxima: dict[str, float] = {}
        for epoch in activations:
            for layer, t in epoch.items():
                finite = np.asarray(t)[np.isfinite(t)]
                if finite.size:
                    maxima[layer] = max(maxima.get(layer, -np.inf), float(np.max(finite)))
        top = max(maxima.values(), default=self.low)
        return {
            layer: self.with_high(top if self.scope == "global" else value)
            for layer, value in maxima.items()
        }

    def estimate(self, t: FloatArray, y: IntArray, *, rng: RNGLike = None) -> LayerInformation:
        """Return the layer's information in nats (inputs assumed distinct, see module doc)."""
        t, y = check_activations(t, y, owner="RangeBinning")
        high = float(t.max()) if self.high is None else self.high
        if high <= self.low:
            high = self.low + 1.0  # all activity at the lower edge: one bin
        bins = np.digitize(t, np.linspace(self.low, high, self.n_edges))
        return _binned(bins, y, self.ci, rng)


@dataclass(frozen=True, kw_only=True)
class AdaptiveBinning:
    """Entropy-based adaptive binning (Chelombiev et al. 2019), per layer and epoch.

    Pool all units' activations, take the sorted unique values above ``low`` and place the edges
    so that every bin holds the same number of unique activation levels. ``ci`` asks for
    intervals, as for :class:`FixedBinning` (the edges stay those of the full probe set).
    """

    name: ClassVar[str] = "adaptive_binning"
    version: ClassVar[int] = 1
    n_bins: int = 30
    low: float = -1.000001
    ci: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "ci", _check_ci(self.ci))
        check_int(self.n_bins, name="n_bins", owner="AdaptiveBinning")

    def identity(self) -> str:
        """Return the versioned identity that keys this estimator's records."""
        return make_identity(
            self.name, self.version, n_bins=self.n_bins, low=self.low, **_ci_param(self.ci)
        )

    def config(self) -> dict[str, Any]:
        """Return the estimator and its assumptions, as recorded beside every value."""
        return {
            "estimator": self.name,
            "n_bins": self.n_bins,
            "low": self.low,
            **_ci_param(self.ci),
        }

    def edges(self, t: FloatArray) -> FloatArray:
        """Return the adaptive edges of one layer's activations."""
        unique = np.unique(t)
        unique = unique[unique > self.low]
        if unique.size == 0:
            return np.array([self.low, self.low + 1.0])
        picks = [unique[int(k * unique.size / self.n_bins)] for k in range(self.n_bins)]
        return np.unique(np.array([self.low, *picks, unique[-1]]))

    def estimate(self, t: FloatArray, y: IntArray, *, rng: RNGLike = None) -> LayerInformation:
        """Return the layer's information in nats (inputs assumed distinct, see module doc)."""
        t, y = check_activations(t, y, owner="AdaptiveBinning")
        return _binned(np.digitize(t, self.edges(t)), y, self.ci, rng)


def _kde_mixture_term(t: FloatArray, scale: float) -> float:
    """``-(1/P) sum_i log (1/P) sum_j exp(-||t_i - t_j||^2 / (2 scale))`` in nats, blocked."""
    n = len(t)
    sq = (t**2).sum(axis=1)
    total = 0.0
    for start in range(0, n, _BLOCK):
        block = t[start : start + _BLOCK]
        d2 = np.maximum(sq[start : start + _BLOCK, None] + sq[None, :] - 2 * block @ t.T, 0.0)
        # every row holds its own sample (distance 0), so the sum is >= 1: no overflow, no log 0
        total += float(np.log(np.exp(d2 / (-2.0 * scale)).sum(axis=1)).sum())
    return -(total / n - math.log(n))


@dataclass(frozen=True, kw_only=True)
class KDEBound:
    """Saxe et al.'s KDE bounds with analysis noise ``T = h + N(0, noise_variance I)``.

    ``bound="upper"`` is the Kolchinsky–Tracey pairwise-KL upper bound (Saxe Eqs. 7, 9–10);
    ``bound="lower"`` the Bhattacharyya lower bound (the same with ``4 * noise_variance``).
    """

    name: ClassVar[str] = "kde_bound"
    version: ClassVar[int] = 1
    noise_variance: float = 0.1
    bound: Literal["upper", "lower"] = "upper"

    def __post_init__(self) -> None:
        check_positive_real(self.noise_variance, name="noise_variance", owner="KDEBound")
        check_choice(self.bound, ("upper", "lower"), name="bound")

    def identity(self) -> str:
        """Return the versioned identity that keys this estimator's records."""
        return make_identity(
            self.name, self.version, noise_variance=self.noise_variance, bound=self.bound
        )

    def config(self) -> dict[str, Any]:
        """Return the estimator and its assumptions, as recorded beside every value."""
        return {"estimator": self.name, "noise_variance": self.noise_variance, "bound": self.bound}

    def estimate(self, t: FloatArray, y: IntArray, *, rng: RNGLike = None) -> LayerInformation:
        """Return the layer's information in nats."""
        t, y = check_activations(t, y, owner="KDEBound")
        scale = self.noise_variance * (4.0 if self.bound == "lower" else 1.0)
        i_xt = _kde_mixture_term(t, scale)
        conditional = 0.0
        for label in np.unique(y):
            members = t[y == label]
            conditional += len(members) / len(t) * _kde_mixture_term(members, scale)
        return LayerInformation(i_xt=i_xt, i_ty=i_xt - conditional, i_xt_given_y=conditional)


@dataclass(frozen=True, kw_only=True)
class GaussianNoiseBound:
    """Gaussian bounds with analysis noise ``T = h + N(0, noise_variance I)``.

    I(X;T) <= 1/2 log det(I + Cov(h) / noise_variance): the Gaussian maximises h(T) for its
    covariance and h(T | X) is the noise entropy exactly. I(T;Y) uses the same Gaussian
    entropies per class (an approximation, not a bound); I(X;T|Y) is their class average.
    """

    name: ClassVar[str] = "gaussian_noise_bound"
    version: ClassVar[int] = 1
    noise_variance: float = 0.1

    def __post_init__(self) -> None:
        check_positive_real(self.noise_variance, name="noise_variance", owner="GaussianNoiseBound")

    def identity(self) -> str:
        """Return the versioned identity that keys this estimator's records."""
        return make_identity(self.name, self.version, noise_variance=self.noise_variance)

    def config(self) -> dict[str, Any]:
        """Return the estimator and its assumptions, as recorded beside every value."""
        return {"estimator": self.name, "noise_variance": self.noise_variance}

    def _information(self, t: FloatArray) -> float:
        cov = np.atleast_2d(np.cov(t, rowvar=False, bias=True))
        sign, logdet = np.linalg.slogdet(np.eye(len(cov)) + cov / self.noise_variance)
        return float(logdet) / 2 if sign > 0 else 0.0

    def estimate(self, t: FloatArray, y: IntArray, *, rng: RNGLike = None) -> LayerInformation:
        """Return the layer's information in nats."""
        t, y = check_activations(t, y, owner="GaussianNoiseBound")
        i_xt = self._information(t)
        given_y = sum(
            np.mean(y == label) * self._information(t[y == label]) for label in np.unique(y)
        )
        return LayerInformation(i_xt=i_xt, i_ty=i_xt - given_y, i_xt_given_y=float(given_y))


@dataclass(frozen=True, kw_only=True)
class KNNEntropy:
    """Kozachenko–Leonenko entropy of ``T = h + N(0, noise_variance I)`` (Saxe et al. App. B.3).

    I(X;T) is reported as h(T) - h(T | X) = h(T) - d/2 log(2 pi e noise_variance), which is exact
    for the noisy layer up to the k-NN estimator's bias; I(T;Y) = h(T) - sum_y p(y) h(T | y) and
    I(X;T|Y) = h(T|Y) - h(T|X). The noise, drawn from the ``rng`` of :meth:`estimate`, removes
    the ties of saturated units. Requires more samples per class than ``k``.

    ``seed`` is deprecated (pass ``rng`` to :meth:`estimate`); when given, it is used as the
    ``rng`` of calls that pass none. ``seed=0`` then equals ``rng=0``.
    """

    name: ClassVar[str] = "knn_entropy"
    version: ClassVar[int] = 1
    k: int = 3
    noise_variance: float = 1e-3
    seed: int | None = None

    def __post_init__(self) -> None:
        check_int(self.k, name="k", owner="KNNEntropy")
        check_positive_real(self.noise_variance, name="noise_variance", owner="KNNEntropy")
        if self.seed is not None:
            check_rng(self.seed)
            warnings.warn(
                "KNNEntropy(seed=...) is deprecated: pass the randomness at call time, "
                "KNNEntropy().estimate(t, y, rng=seed).",
                DeprecationWarning,
                stacklevel=3,
            )

    def identity(self) -> str:
        """Return the versioned identity that keys this estimator's records (no seed in it)."""
        return make_identity(self.name, self.version, k=self.k, noise_variance=self.noise_variance)

    def config(self) -> dict[str, Any]:
        """Return the estimator and its assumptions, as recorded beside every value."""
        return {"estimator": self.name, "k": self.k, "noise_variance": self.noise_variance}

    def estimate(self, t: FloatArray, y: IntArray, *, rng: RNGLike = None) -> LayerInformation:
        """Return the layer's information in nats; the analysis noise is drawn from ``rng``."""
        from infolens.estimators.kl import KozachenkoLeonenkoEstimator

        t, y = check_activations(t, y, owner="KNNEntropy")
        generator = check_rng(self.seed if rng is None and self.seed is not None else rng)
        noisy = t + math.sqrt(self.noise_variance) * generator.standard_normal(t.shape)
        kl = KozachenkoLeonenkoEstimator(k=self.k, metric="euclidean")
        h_t = kl.entropy(noisy).value
        h_t_given_y = sum(
            np.mean(y == label) * kl.entropy(noisy[y == label]).value for label in np.unique(y)
        )
        h_noise = t.shape[1] / 2 * math.log(2 * math.pi * math.e * self.noise_variance)
        return LayerInformation(
            i_xt=h_t - h_noise, i_ty=h_t - h_t_given_y, i_xt_given_y=h_t_given_y - h_noise
        )


__all__ = [
    "AdaptiveBinning",
    "FixedBinning",
    "GaussianNoiseBound",
    "KDEBound",
    "KNNEntropy",
    "LayerEstimator",
    "LayerInformation",
    "MAX_SINGLETON_SHARE",
    "RangeBinning",
    "binned_intervals",
    "labels_to_codes",
]
