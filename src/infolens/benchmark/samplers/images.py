"""Synthetic images with known MI: a latent Gaussian pair pushed through injective image maps.

Following Butakov et al. (ICLR 2024, §4.2; ``../shared/specs/infoplane.md`` §4.2): a correlated
Gaussian latent pair carries the prescribed MI, split equally over independent component pairs;
each latent is mapped to the unit cube by the normal CDF and then to an image by a map that is
injective, so I(image_x; image_y) equals the latent MI exactly. The inverse maps
(:meth:`GaussianBlobs.recover`, :meth:`Rectangles.recover`) exist to test that injectivity.
"""

from dataclasses import dataclass
from typing import ClassVar, final

import numpy as np
from scipy.special import ndtr, ndtri

from infolens._typing import FloatArray, RNGLike
from infolens.benchmark.samplers.normal import CorrelatedPairs, check_n

#: The MI grid of the paper's image benchmark, in nats.
IMAGE_MI_GRID = (0.1, 1.0, 2.5, 5.0, 7.5, 10.0)


def _check_mi(mi: object, owner: str) -> float:
    if isinstance(mi, bool) or not isinstance(mi, int | float) or not mi > 0:
        raise ValueError(f"The 'mi' parameter of {owner} must be a float > 0. Got {mi!r} instead.")
    return float(mi)


def _check_size(size: object, owner: str, low: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < low:
        raise ValueError(
            f"The 'size' parameter of {owner} must be an int in the range [{low}, inf). "
            f"Got {size!r} instead."
        )
    return int(size)


def _uniform_latents(mi: float, dim: int, n: int, rng: RNGLike) -> tuple[FloatArray, FloatArray]:
    """Latent pair with MI ``mi`` split over ``dim`` pairs, mapped to (0, 1) by the normal CDF."""
    x, y = CorrelatedPairs(dim=dim, mi=mi).sample(n, rng)
    return np.asarray(ndtr(x)), np.asarray(ndtr(y))


class _Images:
    """Base of the image samplers: ``size`` × ``size`` images of X and Y, latent MI ``mi``."""

    mi: float
    size: int
    _MIN_SIZE: ClassVar[int]

    def __post_init__(self) -> None:
        owner = type(self).__name__
        object.__setattr__(self, "mi", _check_mi(self.mi, owner))
        object.__setattr__(self, "size", _check_size(self.size, owner, self._MIN_SIZE))

    @property
    def dim_x(self) -> int:
        """Number of pixels of an image of ``X``."""
        return self.size * self.size

    @property
    def dim_y(self) -> int:
        """Number of pixels of an image of ``Y``."""
        return self.size * self.size

    def mutual_information(self) -> float:
        """Return I(X; Y) = ``mi`` in nats (the latent MI; the image maps are injective)."""
        return self.mi


@final
@dataclass(frozen=True, kw_only=True)
class GaussianBlobs(_Images):
    """Pairs of ``size`` × ``size`` images of one Gaussian blob each, MI ``mi`` nats.

    The blob centre of each image is a 2-D latent ``u`` in (0, 1)², the normal CDF of a Gaussian
    latent; the pixel ``(a, b)`` at ``t = ((a + ½) / size, (b + ½) / size)`` has intensity
    ``exp(-10 |t - u|²)``. The two Gaussian latents form two independent correlated pairs, each
    carrying ``mi / 2`` nats. Images are returned flattened, shape ``(n, size²)``.

    The map from centre to image is injective: the log-intensity ratio of neighbouring pixels is
    linear in the centre coordinate (:meth:`recover` inverts it), so the images carry exactly the
    latent MI.

    Examples
    --------
    >>> s = GaussianBlobs(mi=5.0)
    >>> x, y = s.sample(3, rng=0)
    >>> x.shape, y.shape, s.mutual_information()
    ((3, 256), (3, 256), 5.0)
    """

    mi: float
    size: int = 16
    _MIN_SIZE: ClassVar[int] = 2

    def _grid(self) -> FloatArray:
        return (np.arange(self.size) + 0.5) / self.size

    def render(self, centres: FloatArray) -> FloatArray:
        """Return flattened blob images ``(n, size²)`` of centres ``(n, 2)`` in (0, 1)²."""
        t = self._grid()
        rows = np.exp(-10.0 * (t[None, :] - centres[:, :1]) ** 2)
        cols = np.exp(-10.0 * (t[None, :] - centres[:, 1:2]) ** 2)
        return np.asarray((rows[:, :, None] * cols[:, None, :]).reshape(len(centres), -1))

    def recover(self, images: FloatArray) -> FloatArray:
        """Return the centres ``(n, 2)`` of flattened blob images (the inverse of :meth:`render`).

        Uses the first two pixels along each axis through the image's first row and column:
        ``ln I[1] - ln I[0] = -10 h (t_0 + t_1 - 2 u)`` with pixel spacing ``h``.
        """
        grid = images.reshape(len(images), self.size, self.size)
        t, h = self._grid(), 1.0 / self.size

        def axis(first: FloatArray, second: FloatArray) -> FloatArray:
            slope = np.log(second) - np.log(first)
            return np.asarray((slope / (10.0 * h) + t[0] + t[1]) / 2.0)

        return np.stack([axis(grid[:, 0, 0], grid[:, 1, 0]), axis(grid[:, 0, 0], grid[:, 0, 1])], 1)

    def sample_latents(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw the latent centres ``(n, 2)`` of X and Y (the pair whose MI is the truth)."""
        return _uniform_latents(self.mi, 2, check_n(n, "GaussianBlobs"), rng)

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw ``n`` image pairs, two arrays of shape ``(n, size²)``."""
        u, v = self.sample_latents(n, rng)
        return self.render(u), self.render(v)


@final
@dataclass(frozen=True, kw_only=True)
class Rectangles(_Images):
    """Pairs of ``size`` × ``size`` images of one axis-aligned rectangle each, MI ``mi`` nats.

    A 4-D latent ``u`` in (0, 1)⁴ (normal CDF of a Gaussian latent) gives the corners
    ``left = u0 (size - m)``, ``right = left + m + u1 (size - m - left)`` (and top/bottom from
    ``u2, u3``) with minimum side ``m = 2`` pixels; the image is the anti-aliased pixel coverage
    of the rectangle. The latents form four independent correlated pairs of ``mi / 4`` nats.
    Images are returned flattened, shape ``(n, size²)``.

    The map is injective: each pixel's coverage is linear in the edge positions, and
    :meth:`recover` reads the corners back, hence the latent.

    Examples
    --------
    >>> s = Rectangles(mi=2.5)
    >>> x, _ = s.sample(2, rng=0)
    >>> x.shape, bool(x.min() >= 0.0 and x.max() <= 1.0)
    ((2, 1024), True)
    """

    mi: float
    size: int = 32
    min_side: float = 2.0
    _MIN_SIZE: ClassVar[int] = 4

    def corners(self, latents: FloatArray) -> FloatArray:
        """Return ``(left, right, top, bottom)`` in pixels for latents ``(n, 4)`` in (0, 1)⁴."""
        span, m = float(self.size), self.min_side
        left = latents[:, 0] * (span - m)
        right = left + m + latents[:, 1] * (span - m - left)
        top = latents[:, 2] * (span - m)
        bottom = top + m + latents[:, 3] * (span - m - top)
        return np.stack([left, right, top, bottom], axis=1)

    def latents_of(self, corners: FloatArray) -> FloatArray:
        """Invert :meth:`corners`."""
        span, m = float(self.size), self.min_side
        left, right, top, bottom = corners.T
        u0, u2 = left / (span - m), top / (span - m)
        u1 = (right - left - m) / (span - m - left)
        u3 = (bottom - top - m) / (span - m - top)
        return np.stack([u0, u1, u2, u3], axis=1)

    def _coverage(self, low: FloatArray, high: FloatArray) -> FloatArray:
        edges = np.arange(self.size, dtype=np.float64)
        covered = np.minimum(high[:, None], edges + 1.0) - np.maximum(low[:, None], edges)
        return np.asarray(np.clip(covered, 0.0, 1.0))

    def render(self, corners: FloatArray) -> FloatArray:
        """Return flattened coverage images ``(n, size²)`` of rectangles ``(n, 4)``."""
        rows = self._coverage(corners[:, 2], corners[:, 3])
        cols = self._coverage(corners[:, 0], corners[:, 1])
        return np.asarray((rows[:, :, None] * cols[:, None, :]).reshape(len(corners), -1))

    def recover(self, images: FloatArray) -> FloatArray:
        """Return the corners ``(n, 4)`` of flattened rectangle images (inverse of :meth:`render`).

        Each axis profile is the image's row or column sums scaled to a maximum of 1 (a side of
        at least two pixels covers one pixel fully); its total is the side length and its first
        covered pixel ``a`` with coverage ``c`` gives the low edge ``a + 1 - c``.
        """
        grid = images.reshape(len(images), self.size, self.size)

        def edges(profile: FloatArray) -> tuple[FloatArray, FloatArray]:
            profile = profile / profile.max(axis=1, keepdims=True)
            first = np.argmax(profile > 0, axis=1)
            low = first + 1.0 - profile[np.arange(len(profile)), first]
            return low, low + profile.sum(axis=1)

        left, right = edges(grid.sum(axis=1))
        top, bottom = edges(grid.sum(axis=2))
        return np.stack([left, right, top, bottom], axis=1)

    def sample_latents(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw the latents ``(n, 4)`` of X and Y in (0, 1)⁴ (the pair whose MI is the truth)."""
        return _uniform_latents(self.mi, 4, check_n(n, "Rectangles"), rng)

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, FloatArray]:
        """Draw ``n`` image pairs, two arrays of shape ``(n, size²)``."""
        u, v = self.sample_latents(n, rng)
        return self.render(self.corners(u)), self.render(self.corners(v))


def gaussian_latent(uniform: FloatArray) -> FloatArray:
    """Map latents in (0, 1) back to the Gaussian scale (the inverse normal CDF)."""
    return np.asarray(ndtri(uniform))
