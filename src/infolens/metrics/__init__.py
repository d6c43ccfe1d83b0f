"""Representation metrics for PyTorch (needs torch): functions and streaming accumulators.

Every metric is a function (``coding_rate(z, eps=...)``) and, where it is used during training, a
torchmetrics-style accumulator (``CodingRate(...).update(z)`` per batch, ``compute()``,
``reset()``; see :class:`infolens.streaming.Accumulator`). Values are 0-d tensors in nats unless
the metric is a dimensionless score (MIG, InfoMEC, accuracy) or a distance (alignment, W1).

==========================================  ============================  =====================
function                                    accumulator                   module
==========================================  ============================  =====================
``coding_rate``, ``class_coding_rate``,     ``CodingRate``,               ``coding_rate``
``rate_reduction``                          ``RateReduction``
``alignment``, ``uniformity``,              ``Alignment``, ``Uniformity``, ``contrastive``
``infonce_accuracy``                        ``InfoNCEAccuracy``
``mig``, ``infomec``, ``total_correlation``  ``MIG``, ``InfoMEC``,          ``disentanglement``
                                            ``TotalCorrelation``
``attention_entropy``,                      ``AttentionEntropy``          ``attention``
``attention_row_entropy``, ``AttentionMaps``
``representation_shift``,                   ``RepresentationShift``       ``generalization``
``layer_information_gap``
``distillation_cmi``, ``class_centroids``   ``DistillationCMI``           ``distillation``
``embedding_entropy``                       ``EmbeddingEntropy``          ``embedding``
==========================================  ============================  =====================
"""

from infolens.metrics.attention import (
    AttentionEntropy,
    AttentionMaps,
    attention_entropy,
    attention_row_entropy,
)
from infolens.metrics.coding_rate import (
    CodingRate,
    RateReduction,
    class_coding_rate,
    coding_rate,
    rate_reduction,
)
from infolens.metrics.contrastive import (
    Alignment,
    InfoNCEAccuracy,
    Uniformity,
    alignment,
    infonce_accuracy,
    uniformity,
)
from infolens.metrics.disentanglement import (
    MIG,
    InfoMEC,
    InfoMECResult,
    TotalCorrelation,
    infomec,
    mig,
    total_correlation,
)
from infolens.metrics.distillation import DistillationCMI, class_centroids, distillation_cmi
from infolens.metrics.embedding import EmbeddingEntropy, embedding_entropy
from infolens.metrics.generalization import (
    RepresentationShift,
    layer_information_gap,
    representation_shift,
)

__all__ = [
    "MIG",
    "Alignment",
    "AttentionEntropy",
    "AttentionMaps",
    "CodingRate",
    "DistillationCMI",
    "EmbeddingEntropy",
    "InfoMEC",
    "InfoMECResult",
    "InfoNCEAccuracy",
    "RateReduction",
    "RepresentationShift",
    "TotalCorrelation",
    "Uniformity",
    "alignment",
    "attention_entropy",
    "attention_row_entropy",
    "class_centroids",
    "class_coding_rate",
    "coding_rate",
    "distillation_cmi",
    "embedding_entropy",
    "infomec",
    "infonce_accuracy",
    "layer_information_gap",
    "mig",
    "rate_reduction",
    "representation_shift",
    "total_correlation",
    "uniformity",
]
