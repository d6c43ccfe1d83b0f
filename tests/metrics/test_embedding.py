import math

import numpy as np
import pytest
import torch

from infolens.exceptions import InsufficientSamplesError, InvalidInputError
from infolens.metrics import EmbeddingEntropy, embedding_entropy


def test_gaussian_entropy_values(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    scale = np.diag([1.0, 2.0, 0.5])
    z = torch.tensor(rng.standard_normal((4000, 3)) @ scale)
    truth = 1.5 * math.log(2 * math.pi * math.e) + math.log(1.0)  # det(scale) = 1
    assert float(embedding_entropy(z)) == pytest.approx(truth, abs=0.05)
    assert float(embedding_entropy(z, method="knn")) == pytest.approx(truth, abs=0.1)


def test_collapse_is_minus_infinity_for_logdet_and_error_for_knn() -> None:
    z = torch.tensor([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]], dtype=torch.float64)  # rank 1
    assert float(embedding_entropy(z)) == -math.inf
    collapsed = torch.ones(10, 2, dtype=torch.float64)
    with pytest.raises(InvalidInputError):
        embedding_entropy(collapsed, method="knn")


def test_accumulator_equals_one_pass(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    z = torch.tensor(rng.standard_normal((257, 4)))
    for method in ("logdet", "knn"):
        metric = EmbeddingEntropy(dim=4, method=method)
        for start in range(0, 257, 50):
            metric.update(z[start : start + 50])
        assert float(metric.compute()) == pytest.approx(
            float(embedding_entropy(z, method=method)), rel=1e-10
        )
    single = EmbeddingEntropy(dim=4)
    single.update(z[:1])
    with pytest.raises(InsufficientSamplesError, match="at least 2"):
        single.compute()
