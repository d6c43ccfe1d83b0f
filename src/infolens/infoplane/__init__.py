"""The information plane: I(X;T) and I(T;Y) of every layer of a PyTorch model during training.

The layer estimators (:mod:`~infolens.infoplane.measures`, in nats, behind the
:class:`LayerEstimator` protocol and the open registry of :mod:`~infolens.infoplane.registry`),
schedules, store, curves and post-hoc estimation (:mod:`~infolens.infoplane.posthoc`) need only
numpy; :class:`InformationPlane` (forward hooks) and the reproductions need the ``torch`` extra,
and the pictures the ``plot`` extra.
"""

from typing import Any

from infolens.infoplane._base import (
    FittableLayerEstimator,
    LayerEstimator,
    LayerInformation,
    make_identity,
)
from infolens.infoplane.conditional import ConditionalInformation, select_sigmas
from infolens.infoplane.curves import compression, seed_mean_curves
from infolens.infoplane.idx import load_mnist
from infolens.infoplane.lossy import LossyCompression
from infolens.infoplane.measures import (
    AdaptiveBinning,
    FixedBinning,
    GaussianNoiseBound,
    KDEBound,
    KNNEntropy,
    RangeBinning,
)
from infolens.infoplane.noisy import GaussianNoise, SamplePropagation, sample_propagation
from infolens.infoplane.posthoc import (
    SavedActivations,
    estimate_layers,
    estimate_saved,
    load_activations,
    saved_epochs,
)
from infolens.infoplane.registry import (
    LAYER_ESTIMATORS,
    available_layer_estimators,
    layer_estimator,
    register_layer_estimator,
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
    "LAYER_ESTIMATORS",
    "AdaptiveBinning",
    "ConditionalInformation",
    "FittableLayerEstimator",
    "FixedBinning",
    "GaussianNoise",
    "GaussianNoiseBound",
    "InformationPlane",
    "KDEBound",
    "KNNEntropy",
    "LayerEstimator",
    "LayerInformation",
    "LossyCompression",
    "PlaneRecord",
    "PlaneStore",
    "RangeBinning",
    "SamplePropagation",
    "SavedActivations",
    "available_layer_estimators",
    "compression",
    "estimate_layers",
    "estimate_saved",
    "ibsgd_epochs",
    "idnns_epochs",
    "layer_estimator",
    "load_activations",
    "load_mnist",
    "make_identity",
    "register_layer_estimator",
    "reproduce",
    "resolve_schedule",
    "sample_propagation",
    "saved_epochs",
    "seed_mean_curves",
    "select_sigmas",
]
