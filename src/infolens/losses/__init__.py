"""Information-theoretic training objectives for PyTorch (needs torch).

Every loss is an ``nn.Module`` returning a differentiable 0-d tensor (nats unless stated), works on
any device and validates its inputs (``validate_args=False`` skips the NaN/inf checks, which read
one value back from the device per call).

===============================  ============================================  ===================
module                           objective                                     file
===============================  ============================================  ===================
``InfoNCELoss``, ``NTXentLoss``  InfoNCE / CPC (symmetric, memory bank),        ``contrastive``
``MemoryBank``,                  SimCLR's NT-Xent, Wang & Isola
``AlignmentUniformityLoss``
``VIBLoss``, ``GaussianEncoder``  variational information bottleneck            ``bottleneck``
``CSIBLoss``                     Cauchy–Schwarz IB for regression              ``bottleneck``
``HSICBottleneckLoss``           HSIC bottleneck (normalised HSIC)             ``bottleneck``
``CLUB``                         CLUB MI upper bound (minimisation)            ``club``
``MCR2Loss``                     maximal coding rate reduction                 ``rate_reduction``
``AttentionEntropyRegularizer``  entropy-guided attention                      ``attention``
``CMIDistillationLoss``          teacher CMI ``I(X; Ŷ | Y)`` (MCMI)             ``distillation``
===============================  ============================================  ===================
"""

from infolens.losses.attention import AttentionEntropyRegularizer
from infolens.losses.bottleneck import (
    CSIBLoss,
    GaussianEncoder,
    HSICBottleneckLoss,
    VIBLoss,
    cs_divergence_conditional,
    cs_qmi,
    cs_qmi_normalized,
    gaussian_kl,
    hsic_regular,
    normalized_hsic,
)
from infolens.losses.club import CLUB, club_upper_bound
from infolens.losses.contrastive import (
    AlignmentUniformityLoss,
    InfoNCELoss,
    MemoryBank,
    NTXentLoss,
)
from infolens.losses.distillation import CMIDistillationLoss, conditional_mi_term
from infolens.losses.rate_reduction import MCR2Loss

__all__ = [
    "CLUB",
    "AlignmentUniformityLoss",
    "AttentionEntropyRegularizer",
    "CMIDistillationLoss",
    "CSIBLoss",
    "GaussianEncoder",
    "HSICBottleneckLoss",
    "InfoNCELoss",
    "MCR2Loss",
    "MemoryBank",
    "NTXentLoss",
    "VIBLoss",
    "club_upper_bound",
    "conditional_mi_term",
    "cs_divergence_conditional",
    "cs_qmi",
    "cs_qmi_normalized",
    "gaussian_kl",
    "hsic_regular",
    "normalized_hsic",
]
