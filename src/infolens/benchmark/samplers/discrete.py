"""Discrete–continuous samplers and quantised (tied) versions of Gaussians, exact MI numerically.

Discrete values are returned as integer-valued float64 arrays (the values of the quantisation
grid for :class:`QuantisedNormal`).
"""

import math
from dataclasses import dataclass
from functools import cache
from typing import final

import numpy as np
from scipy.special import ndtr

from infolens._typing import FloatArray, RNGLike
from infolens._validation import check_int, check_positive_real, check_rng
from infolens.benchmark.samplers.normal import check_n
from infolens.exceptions import InvalidParameterError

#: Gauss–Legendre rule used for all the numerical integrals here.
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(24)
#: Integrals over the real line are truncated to [-_RANGE, _RANGE] (mass lost < 1e-20).
_RANGE = 10.0


def _panels(low: float, high: float, n_panels: int) -> tuple[FloatArray, FloatArray]:
    """Nodes and weights of a composite Gauss–Legendre rule on [low, high]."""
    edges = np.linspace(low, high, n_panels + 1)
    half = 0.5 * np.diff(edges)
    mid = 0.5 * (edges[1:] + edges[:-1])
    nodes = (mid[:, None] + half[:, None] * _NODES[None, :]).ravel()
    weights = (half[:, None] * _WEIGHTS[None, :]).ravel()
    return nodes, weights


def _normal_pdf(t: FloatArray) -> FloatArray:
    return np.asarray(np.exp(-0.5 * t * t) / math.sqrt(2 * math.pi), dtype=np.float64)


def _xlogx_sum(p: FloatArray, axis: int) -> FloatArray:
    safe = np.where(p > 0, p, 1.0)
    return np.asarray(-(p * np.log(safe)).sum(axis=axis), dtype=np.float64)


@final
@dataclass(frozen=True, kw_only=True)
class DiscreteUniformShift:
    """``X`` uniform on {0, …, m−1}; ``Y | X = x ~ U(x, x + 2)`` (Gao et al. 2017).

    Notes
    -----
    I(X; Y) = ln m − (m − 1) ln 2 / m, in nats.

    Examples
    --------
    >>> round(DiscreteUniformShift(m=2).mutual_information(), 6)  # ln 2 / 2
    0.346574
    """

    m: int

    dim_x = 1
    dim_y = 1

    def __post_init__(self) -> None:
        check_int(self.m, name="m", owner="DiscreteUniformShift", low=2)

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw ``n`` samples: integer-valued ``X`` and continuous ``Y``, shape ``(n, 1)``."""
        n = check_n(n, "DiscreteUniformShift", self.dim_x + self.dim_y)
        generator = check_rng(rng)
        x = generator.integers(0, self.m, size=(n, 1)).astype(np.float64)
        return x, x + generator.uniform(0.0, 2.0, size=(n, 1))

    def mutual_information(self) -> float:
        """Return I(X; Y) in nats (closed form)."""
        return math.log(self.m) - (self.m - 1) * math.log(2) / self.m


@cache
def _mixture_mi(means: tuple[float, ...]) -> float:
    nodes, weights = _panels(min(means) - _RANGE, max(means) + _RANGE, 400)
    dens = np.stack([_normal_pdf(nodes - m) for m in means]) / len(means)
    p_y = dens.sum(axis=0)
    posterior = dens / np.where(p_y > 0, p_y, 1.0)
    h_x_given_y = float(np.sum(weights * p_y * _xlogx_sum(posterior, axis=0)))
    return math.log(len(means)) - h_x_given_y


@final
@dataclass(frozen=True, kw_only=True)
class DiscreteGaussianMixture:
    """``X`` uniform on {0, …, K−1}; ``Y | X = k ~ N(means[k] e₁, I_dim_y)``.

    Notes
    -----
    I(X; Y) = ln K − E_Y[H(X | Y)], the expectation by composite Gauss–Legendre quadrature
    (error < 1e-10 nats); only the first coordinate of ``Y`` carries information.

    Examples
    --------
    >>> round(DiscreteGaussianMixture(means=(0.0, 100.0)).mutual_information(), 6)  # ln 2
    0.693147
    """

    means: tuple[float, ...]
    dim_y: int = 1

    dim_x = 1

    def __post_init__(self) -> None:
        check_int(self.dim_y, name="dim_y", owner="DiscreteGaussianMixture")
        if len(self.means) < 2:
            raise InvalidParameterError(
                "The 'means' parameter of DiscreteGaussianMixture must hold at least two "
                f"means. Got {len(self.means)} instead."
            )

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw ``n`` samples: integer-valued ``X`` (n, 1) and ``Y`` (n, dim_y)."""
        n = check_n(n, "DiscreteGaussianMixture", self.dim_x + self.dim_y)
        generator = check_rng(rng)
        labels = generator.integers(0, len(self.means), size=n)
        y = generator.standard_normal((n, self.dim_y))
        y[:, 0] += np.asarray(self.means)[labels]
        return labels.astype(np.float64)[:, None], y

    def mutual_information(self) -> float:
        """Return I(X; Y) in nats (numerical quadrature)."""
        return _mixture_mi(tuple(float(m) for m in self.means))


def _grid(width: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Cell centres, lower and upper edges of the rounding grid ``width · round(t / width)``."""
    k = math.ceil(_RANGE / width + 0.5)
    centres = width * np.arange(-k, k + 1, dtype=np.float64)
    return centres, centres - 0.5 * width, centres + 0.5 * width


@cache
def _quantised_mi(rho: float, width_x: float, width_y: float | None) -> float:
    s = math.sqrt(1.0 - rho * rho)
    _, low_x, high_x = _grid(width_x)
    if width_y is None:
        # I(Q; Y) = H(Q) - E_Y H(Q | Y), with p(q | y) a difference of normal CDFs.
        nodes, weights = _panels(-_RANGE, _RANGE, 400)
        cond = ndtr((high_x[None, :] - rho * nodes[:, None]) / s) - ndtr(
            (low_x[None, :] - rho * nodes[:, None]) / s
        )
        p_q = ndtr(high_x) - ndtr(low_x)
        h_cond = float(np.sum(weights * _normal_pdf(nodes) * _xlogx_sum(cond, axis=1)))
        return float(_xlogx_sum(p_q, axis=0)) - h_cond
    _, low_y, high_y = _grid(width_y)
    # p(i, j) = ∫_{cell i} φ(x) P(Y in cell j | x) dx, per-cell Gauss–Legendre.
    half = 0.5 * width_x
    nodes = (0.5 * (low_x + high_x))[:, None] + half * _NODES[None, :]
    weights = half * _WEIGHTS[None, :] * _normal_pdf(nodes)
    mean = rho * nodes[:, :, None]
    cond = ndtr((high_y[None, None, :] - mean) / s) - ndtr((low_y[None, None, :] - mean) / s)
    joint = np.einsum("ik,ikj->ij", weights, cond)
    joint /= joint.sum()
    p_i, p_j = joint.sum(axis=1), joint.sum(axis=0)
    mask = joint > 0
    return float(np.sum(joint[mask] * np.log(joint[mask] / np.outer(p_i, p_j)[mask])))


@final
@dataclass(frozen=True, kw_only=True)
class QuantisedNormal:
    """A bivariate normal (correlation ``rho``) with ``X`` (and optionally ``Y``) rounded.

    ``X`` becomes ``width_x · round(X / width_x)``; ``Y`` likewise when ``width_y`` is given,
    so the samples have many ties. The MI of the rounded variables is computed by numerical
    integration (composite Gauss–Legendre, error < 1e-8 nats).

    Examples
    --------
    >>> q = QuantisedNormal(rho=0.75, width_x=0.1)  # fine rounding: just below 0.4133
    >>> round(q.mutual_information(), 3)
    0.413
    """

    rho: float
    width_x: float
    width_y: float | None = None

    dim_x = 1
    dim_y = 1

    def __post_init__(self) -> None:
        if not -1 < self.rho < 1:
            raise InvalidParameterError(
                f"The 'rho' parameter of QuantisedNormal must be a float in the range (-1, 1). "
                f"Got {self.rho!r} instead."
            )
        check_positive_real(self.width_x, name="width_x", owner="QuantisedNormal")
        if self.width_y is not None:
            check_positive_real(self.width_y, name="width_y", owner="QuantisedNormal")

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw ``n`` samples, two arrays of shape ``(n, 1)`` (rounded to their grids)."""
        n = check_n(n, "QuantisedNormal", self.dim_x + self.dim_y)
        z = check_rng(rng).standard_normal((n, 2))
        x = z[:, :1]
        y = self.rho * x + math.sqrt(1 - self.rho**2) * z[:, 1:]
        x = self.width_x * np.round(x / self.width_x)
        if self.width_y is not None:
            y = self.width_y * np.round(y / self.width_y)
        return x, y

    def mutual_information(self) -> float:
        """Return I(X; Y) of the rounded variables in nats (numerical integration)."""
        return _quantised_mi(float(self.rho), float(self.width_x), self.width_y)
