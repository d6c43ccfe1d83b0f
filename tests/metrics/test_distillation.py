import math

import pytest
import torch

from infolens.exceptions import InvalidInputError
from infolens.metrics import DistillationCMI, class_centroids, distillation_cmi

LOGITS = torch.tensor(
    [[2.0, 0, 0], [1, 1, 0], [0, 2, 0], [0, 0, 1], [0, 1, 1], [1, 0, 2]], dtype=torch.float64
)
LABELS = torch.tensor([0, 0, 1, 1, 2, 2])


def test_spec_vector() -> None:
    assert float(distillation_cmi(LOGITS, LABELS)) == pytest.approx(0.11453846277294526, rel=1e-10)


def test_equals_mean_kl_to_centroids() -> None:
    p = torch.softmax(LOGITS, dim=1)
    q = class_centroids(LOGITS, LABELS)[LABELS]
    kl = (p * (p.log() - q.log())).sum(1).mean()
    assert float(distillation_cmi(LOGITS, LABELS)) == pytest.approx(float(kl), rel=1e-12)


def test_zero_when_predictions_depend_on_label_only() -> None:
    logits = torch.tensor([[1.0, 0], [1.0, 0], [0, 3.0], [0, 3.0]], dtype=torch.float64)
    assert abs(float(distillation_cmi(logits, torch.tensor([0, 0, 1, 1])))) < 1e-15


def test_accumulator_streams_exactly() -> None:
    metric = DistillationCMI(n_classes=3)
    for rows in (slice(0, 1), slice(1, 4), slice(4, 6)):
        metric.update(LOGITS[rows], LABELS[rows])
    assert float(metric.compute()) == pytest.approx(0.11453846277294526, rel=1e-10)
    assert torch.allclose(metric.centroids(), class_centroids(LOGITS, LABELS), rtol=1e-12)


def test_errors() -> None:
    with pytest.raises(InvalidInputError, match="inconsistent numbers of samples"):
        distillation_cmi(LOGITS, LABELS[:3])
    with pytest.raises(InvalidInputError, match="contains NaN"):
        distillation_cmi(torch.full((2, 3), math.nan), torch.tensor([0, 1]))
    metric = DistillationCMI(n_classes=2)
    with pytest.raises(InvalidInputError, match="n_outputs=2"):
        metric.update(LOGITS, LABELS)
