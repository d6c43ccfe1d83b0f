"""The open registry of information-plane layer estimators: name -> class.

Layer estimators are a family apart from the sample estimators of
:mod:`infolens.estimators.registry` (they take a layer's activations and class labels, and
return I(X;T), I(T;Y) and I(X;T|Y)); their names say so, so that "kde" or "knn" never means two
things. Add one with :func:`register_layer_estimator`; build one by name with
:func:`layer_estimator`.
"""

import re
import warnings
from typing import Any, TypeVar

from infolens._validation import check_choice
from infolens.exceptions import InvalidParameterError
from infolens.infoplane._base import LayerEstimator
from infolens.infoplane.conditional import ConditionalInformation
from infolens.infoplane.lossy import LossyCompression
from infolens.infoplane.measures import (
    AdaptiveBinning,
    FixedBinning,
    GaussianNoiseBound,
    KDEBound,
    KNNEntropy,
    RangeBinning,
)
from infolens.infoplane.noisy import SamplePropagation

#: Every layer estimator by its registry name (its class attribute ``name``).
LAYER_ESTIMATORS: dict[str, type[LayerEstimator]] = {
    cls.name: cls
    for cls in (
        FixedBinning,
        RangeBinning,
        AdaptiveBinning,
        KDEBound,
        GaussianNoiseBound,
        KNNEntropy,
        LossyCompression,
        SamplePropagation,
        ConditionalInformation,
    )
}

#: Names used before the registry (and in records written then), accepted with a warning.
DEPRECATED_NAMES: dict[str, str] = {
    "binning": "fixed_binning",
    "kde": "kde_bound",
    "gaussian": "gaussian_noise_bound",
    "knn": "knn_entropy",
}

_NAME = re.compile(r"[a-z][a-z0-9_]*")
Estimator = TypeVar("Estimator", bound=type[Any])


def available_layer_estimators() -> list[str]:
    """Return the registered layer-estimator names, sorted.

    Examples
    --------
    >>> available_layer_estimators()[:3]
    ['adaptive_binning', 'conditional_information', 'fixed_binning']
    """
    return sorted(LAYER_ESTIMATORS)


def register_layer_estimator(cls: Estimator, *, replace: bool = False) -> Estimator:
    """Add ``cls`` to :data:`LAYER_ESTIMATORS` under ``cls.name``; usable as a class decorator.

    Raises
    ------
    InvalidParameterError
        If ``cls`` lacks ``name``, ``version``, ``identity`` or ``estimate``, its name is not
        lower-case ``snake_case``, or the name is taken (and ``replace`` is false).
    """
    missing = [a for a in ("name", "version", "identity", "estimate") if not hasattr(cls, a)]
    if missing:
        raise InvalidParameterError(
            f"A layer estimator needs the attributes name, version, identity and estimate "
            f"(see infolens.infoplane.LayerEstimator); {getattr(cls, '__name__', cls)!r} lacks "
            f"{', '.join(missing)}."
        )
    name, version = cls.name, cls.version
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name in DEPRECATED_NAMES:
        raise InvalidParameterError(
            f"The 'name' of a layer estimator must be a lower-case snake_case string other than "
            f"{', '.join(repr(n) for n in sorted(DEPRECATED_NAMES))}. Got {name!r} instead."
        )
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidParameterError(
            f"The 'version' of layer estimator {name!r} must be an int in the range [1, inf). "
            f"Got {version!r} instead."
        )
    if name in LAYER_ESTIMATORS and LAYER_ESTIMATORS[name] is not cls and not replace:
        raise InvalidParameterError(
            f"A layer estimator named {name!r} is registered already "
            f"({LAYER_ESTIMATORS[name].__qualname__}); pass replace=True to replace it."
        )
    LAYER_ESTIMATORS[name] = cls
    return cls


def resolve_layer_estimator_name(name: object) -> str:
    """Return the registry name for ``name``, mapping deprecated names with a warning."""
    if isinstance(name, str) and name in DEPRECATED_NAMES:
        new = DEPRECATED_NAMES[name]
        warnings.warn(
            f"The layer-estimator name {name!r} is deprecated; use {new!r}.",
            DeprecationWarning,
            stacklevel=3,
        )
        return new
    return check_choice(name, LAYER_ESTIMATORS, name="layer estimator")


def layer_estimator(name: str, **params: Any) -> LayerEstimator:
    """Build the layer estimator registered as ``name`` with ``params``.

    Examples
    --------
    >>> layer_estimator("kde_bound", noise_variance=0.1).identity()
    'kde_bound/v1?noise_variance=0.1&bound=upper'
    """
    cls = LAYER_ESTIMATORS[resolve_layer_estimator_name(name)]
    try:
        return cls(**params)
    except TypeError as err:
        raise InvalidParameterError(
            f"Layer estimator {cls.name!r} got unknown parameters ({err})."
        ) from None


__all__ = [
    "DEPRECATED_NAMES",
    "LAYER_ESTIMATORS",
    "available_layer_estimators",
    "layer_estimator",
    "register_layer_estimator",
    "resolve_layer_estimator_name",
]
