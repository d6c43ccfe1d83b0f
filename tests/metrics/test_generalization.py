import math
import re

import numpy as np
import pytest
import torch

from infolens.exceptions import InsufficientSamplesError, InvalidInputError
from infolens.metrics import RepresentationShift, layer_information_gap, representation_shift


def test_kl_of_shifted_gaussians(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    mu = np.array([1.0, 0.5])
    train = rng.standard_normal((3000, 2))
    test = rng.standard_normal((3000, 2)) + mu
    truth = float(mu @ mu) / 2  # KL(N(0, I) || N(mu, I))
    value = float(representation_shift(train, test, method="kl", k=5))
    assert value == pytest.approx(truth, abs=0.08)
    assert abs(float(representation_shift(train, rng.standard_normal((3000, 2)), k=5))) < 0.05


def test_wasserstein_exact_in_1d_and_sliced_in_2d(global_random_seed: int) -> None:
    train = np.array([0.0, 1, 2, 3])
    assert float(representation_shift(train, train + 0.5, method="wasserstein")) == pytest.approx(
        0.5
    )
    rng = np.random.default_rng(global_random_seed)
    mu = np.array([0.6, 0.8])
    x = rng.standard_normal((2000, 2))
    value = float(representation_shift(x, x + mu, method="wasserstein", n_projections=400, rng=0))
    # pure translation: sliced W1 = E|θ·μ| = 2‖μ‖/π for θ uniform on the circle (MC over θ)
    assert value == pytest.approx(2 / math.pi, abs=0.03)
    again = float(representation_shift(x, x + mu, method="wasserstein", n_projections=400, rng=0))
    assert again == value


def test_duplicates_raise_for_kl() -> None:
    x = np.zeros((10, 2))
    with pytest.raises(InvalidInputError, match="needs distinct samples"):
        representation_shift(x, x + 1.0)
    with pytest.raises(InsufficientSamplesError, match=re.escape("k + 1 = 4")):
        representation_shift(np.arange(3.0), np.arange(3.0), k=3)
    with pytest.raises(InvalidInputError, match="same number of features"):
        representation_shift(np.zeros((4, 2)), np.zeros((4, 3)))


def test_layer_gap_and_accumulator(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    train = {
        "a": torch.tensor(rng.standard_normal((200, 3))),
        "b": torch.tensor(rng.standard_normal((200, 1))),
    }
    test = {"a": train["a"] + 1.0, "b": train["b"] * 1.0 + 0.25}
    gap = layer_information_gap(train, test, rng=1)
    assert set(gap) == {"a", "b"}
    assert gap["b"]["wasserstein"] == pytest.approx(0.25, abs=1e-12)
    assert gap["a"]["kl"] > gap["b"]["kl"]
    metric = RepresentationShift(method="wasserstein")
    metric.update(train["b"][:100], split="train")
    metric.update(train["b"][100:], split="train")
    metric.update(test["b"], split="test")
    assert float(metric.compute()) == pytest.approx(0.25, abs=1e-12)
    with pytest.raises(InvalidInputError, match="same layers"):
        layer_information_gap(train, {"a": test["a"]})
    empty = RepresentationShift()
    empty.update(train["b"], split="train")
    with pytest.raises(InsufficientSamplesError, match="both train and test"):
        empty.compute()
