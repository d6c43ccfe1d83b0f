"""The layer-estimator contract of the information plane: protocol, result record, identity.

Numpy only. A layer estimator maps the activations ``t`` of one layer on a fixed probe set,
shape ``(n_samples, width)``, and the integer class labels ``y`` of the same samples to a
:class:`LayerInformation` **in nats**; bits appear only in plots, reports and the reproductions'
criteria (stated in bits by the papers).
"""

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable
from urllib.parse import quote

import numpy as np

from infolens._estimate import ConfidenceInterval
from infolens._typing import FloatArray, IntArray, RNGLike, Units
from infolens._units import check_units
from infolens._validation import check_array
from infolens.exceptions import InvalidInputError, InvalidParameterError

_LN2 = math.log(2.0)
#: Sequences longer than this appear in an identity as ``n x [first..last] # digest``.
_SHORT_SEQUENCE = 8


@dataclass(frozen=True)
class LayerInformation:
    """I(X;T), I(T;Y) and I(X;T|Y) of one layer at one epoch, in ``units`` (nats by default).

    ``i_xt_ci`` and ``i_ty_ci`` are confidence intervals of I(X;T) and I(T;Y), in the same
    units, when the estimator was asked for them (e.g. ``FixedBinning(ci=0.95)``) and can give a
    valid one; ``None`` otherwise. Each says how it was obtained (``method``) and what it covers
    (see the estimator's documentation: the binning intervals are over the sampling of the probe
    inputs, for a fixed network and fixed bins).

    Examples
    --------
    >>> info = LayerInformation(math.log(4.0), math.log(2.0), math.log(2.0))
    >>> bits = info.to("bits")
    >>> bits.i_xt, bits.i_ty, bits.i_xt_given_y, bits.units, bits.i_xt_ci
    (2.0, 1.0, 1.0, 'bits', None)
    """

    i_xt: float
    i_ty: float
    i_xt_given_y: float
    units: Units = "nats"
    i_xt_ci: ConfidenceInterval | None = None
    i_ty_ci: ConfidenceInterval | None = None

    def to(self, units: Units) -> "LayerInformation":
        """Return the same information (and intervals) in ``units`` (``"nats"`` or ``"bits"``)."""
        target = check_units(units)
        if target == self.units:
            return self
        xt, ty = (None if ci is None else ci.to(self.units, target) for ci in self.intervals())
        if target == "bits":  # x / ln 2: the division the pre-nats code did, bit for bit
            return LayerInformation(
                self.i_xt / _LN2, self.i_ty / _LN2, self.i_xt_given_y / _LN2, "bits", xt, ty
            )
        return LayerInformation(
            self.i_xt * _LN2, self.i_ty * _LN2, self.i_xt_given_y * _LN2, "nats", xt, ty
        )

    def intervals(self) -> tuple[ConfidenceInterval | None, ConfidenceInterval | None]:
        """Return ``(i_xt_ci, i_ty_ci)``."""
        return self.i_xt_ci, self.i_ty_ci


#: What :meth:`FittableLayerEstimator.fit` receives: the saved activations, one mapping
#: ``layer -> (n_samples, width) array`` per epoch, in epoch order.
SavedEpochs = Iterable[Mapping[str, FloatArray]]


@runtime_checkable
class LayerEstimator(Protocol):
    """What the tracker, the post-hoc runner and the store need of a layer estimator.

    ``name`` is its registry name, ``version`` the number to raise whenever the values it returns
    for the same settings change; :meth:`identity` (built with :func:`make_identity` from the
    declared settings and ``version``) keys its records in the store.
    """

    name: ClassVar[str]
    version: ClassVar[int]

    def identity(self) -> str:
        """Return the stable, versioned identity of this estimator and its settings."""
        ...

    def estimate(self, t: FloatArray, y: IntArray, *, rng: RNGLike = None) -> LayerInformation:
        """Return the layer's information in nats (randomness, if any, drawn from ``rng``)."""
        ...


@runtime_checkable
class FittableLayerEstimator(LayerEstimator, Protocol):
    """A layer estimator with data-dependent settings, fitted post hoc on all saved epochs."""

    def fit(self, activations: SavedEpochs) -> Mapping[str, LayerEstimator]:
        """Return the estimator to apply to each layer (layers not in it use ``self``)."""
        ...


def _encode(value: object, key: str, owner: str) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, str):
        return quote(value, safe="")
    if isinstance(value, Sequence | np.ndarray):
        items = [_encode(v, key, owner) for v in np.asarray(value, dtype=object).ravel()]
        if len(items) <= _SHORT_SEQUENCE:
            return "[" + ",".join(items) + "]"
        digest = hashlib.sha256(",".join(items).encode()).hexdigest()[:12]
        return f"{len(items)}x[{items[0]}..{items[-1]}]#{digest}"
    raise InvalidParameterError(
        f"The identity parameter {key!r} of {owner} must be None, a bool, int, float, str or a "
        f"sequence of them. Got {type(value).__name__} instead."
    )


def make_identity(name: str, version: int, /, **params: object) -> str:
    """Return ``name/v<version>?key=value&...``: the store key of an estimator's records.

    Declare every setting that changes the numbers, under a key that stays the same when the
    attribute behind it is renamed. Long sequences are shortened to their length, ends and a
    digest, so two different edge vectors never share an identity.

    Examples
    --------
    >>> make_identity("kde_bound", 1, noise_variance=0.1, bound="upper")
    'kde_bound/v1?noise_variance=0.1&bound=upper'
    >>> make_identity("fixed_binning", 1, edges=(-1.0, 0.0, 1.0))
    'fixed_binning/v1?edges=[-1.0,0.0,1.0]'
    """
    query = "&".join(f"{key}={_encode(value, key, name)}" for key, value in params.items())
    return f"{name}/v{int(version)}" + (f"?{query}" if query else "")


def identity_of(estimator: "LayerEstimator | str") -> str:
    """Return the identity of ``estimator`` (an estimator object, or an identity string)."""
    return estimator if isinstance(estimator, str) else estimator.identity()


def check_activations(t: object, y: object, *, owner: str) -> tuple[FloatArray, IntArray]:
    """Return ``t`` as finite float64 ``(n_samples, width)`` and ``y`` as integer codes.

    Raises
    ------
    InvalidInputError
        If ``t`` holds NaN or infinity, is not 1-D/2-D, or its length differs from ``y``'s.
    """
    try:
        activations = check_array(t, name="t")
    except InvalidInputError as err:
        raise InvalidInputError(f"{owner}: {err}") from None
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] > 1:  # one-hot rows
        labels = labels.argmax(axis=1)
    labels = labels.reshape(len(labels), -1) if labels.ndim else labels.reshape(1, 1)
    if labels.shape[1] != 1 or len(labels) != len(activations):
        raise InvalidInputError(
            f"{owner} needs one label per row of the activations t: got {len(activations)} "
            f"rows of t and labels of shape {np.asarray(y).shape}."
        )
    labels = labels.reshape(-1)
    if labels.dtype.kind not in "iu" or (labels.size and labels.min() < 0):
        labels = np.unique(labels, return_inverse=True)[1].reshape(-1)
    return activations, labels.astype(np.intp, copy=False)


__all__ = [
    "FittableLayerEstimator",
    "LayerEstimator",
    "LayerInformation",
    "SavedEpochs",
    "check_activations",
    "identity_of",
    "make_identity",
]
