"""The information plane: I(X;T) and I(T;Y) of every layer of a PyTorch model during training.

The estimators (:mod:`~infolens.infoplane.measures`), schedules, store and curves need only
numpy; :class:`InformationPlane` (forward hooks) and the reproductions need the ``torch`` extra,
and the pictures the ``plot`` extra.
"""

from typing import Any

from infolens.infoplane.curves import compression, seed_mean_curves
from infolens.infoplane.measures import (
    AdaptiveBinning,
    FixedBinning,
    GaussianNoiseBound,
    KDEBound,
    KNNEntropy,
    LayerInformation,
    RangeBinning,
)
from infolens.infoplane.schedule import ibsgd_epochs, idnns_epochs, resolve_schedule
from infolens.infoplane.store import PlaneRecord, PlaneStore

_TORCH_NAMES = {
    "InformationPlane": "infolens.infoplane.tracker",
    "reproduce": "infolens.infoplane.reproduce",
}


def __getattr__(name: str) -> Any:
    if name in _TORCH_NAMES:
        import importlib

        try:
            return getattr(importlib.import_module(_TORCH_NAMES[name]), name)
        except ImportError as err:
            if "torch" in str(err):
                raise ImportError(
                    f"infolens.infoplane.{name} needs PyTorch: pip install 'infolens[torch]'"
                ) from err
            raise
    raise AttributeError(f"module 'infolens.infoplane' has no attribute {name!r}")


__all__ = [
    "AdaptiveBinning",
    "FixedBinning",
    "GaussianNoiseBound",
    "InformationPlane",
    "KDEBound",
    "KNNEntropy",
    "LayerInformation",
    "PlaneRecord",
    "PlaneStore",
    "RangeBinning",
    "compression",
    "ibsgd_epochs",
    "idnns_epochs",
    "reproduce",
    "resolve_schedule",
    "seed_mean_curves",
]
