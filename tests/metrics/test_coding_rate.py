import math
import re

import numpy as np
import pytest
import torch

from infolens.exceptions import InsufficientSamplesError, InvalidInputError, InvalidParameterError
from infolens.metrics import (
    CodingRate,
    RateReduction,
    class_coding_rate,
    coding_rate,
    rate_reduction,
)

ORTH2 = torch.eye(2, dtype=torch.float64)
ORTH2_LABELS = torch.tensor([0, 1])
N4D3 = torch.tensor([[1, 0, 0], [0.8, 0.6, 0], [0, 0, 1], [0, 0.6, 0.8]], dtype=torch.float64)
N4D3_LABELS = torch.tensor([0, 0, 1, 1])


def test_orth2_vector_is_exact() -> None:
    # spec §4 + Corrections 7: R = ln 3, R_c = ½ ln 5, ΔR = ln 3 − ½ ln 5
    assert float(coding_rate(ORTH2, eps_squared=0.5)) == pytest.approx(math.log(3), rel=1e-12)
    assert float(class_coding_rate(ORTH2, ORTH2_LABELS, eps_squared=0.5)) == pytest.approx(
        0.5 * math.log(5), rel=1e-12
    )
    assert float(rate_reduction(ORTH2, ORTH2_LABELS, eps_squared=0.5)) == pytest.approx(
        0.29389333245105964, rel=1e-10
    )


def test_n4d3_vector() -> None:
    assert float(coding_rate(N4D3, eps_squared=0.5)) == pytest.approx(1.5296726833, abs=1e-10)
    assert float(class_coding_rate(N4D3, N4D3_LABELS, eps_squared=0.5)) == pytest.approx(
        1.1631508098, abs=1e-10
    )
    assert float(rate_reduction(N4D3, N4D3_LABELS, eps_squared=0.5)) == pytest.approx(
        0.3665218735, abs=1e-10
    )


def test_crate_coding_rate_vector_is_eps_squared_001() -> None:
    # CRATE CodingRate(eps=0.01) on the n4d3 rows as 4 tokens of one head: its eps is ε²
    assert float(coding_rate(N4D3, eps_squared=0.01)) == pytest.approx(6.584882956297582, rel=1e-10)
    assert float(coding_rate(N4D3, eps=0.1)) == pytest.approx(6.584882956297582, rel=1e-10)


def test_eps_is_squared_internally() -> None:
    # the pitfall: eps=0.5 (ε) is not eps_squared=0.5 (ε²)
    assert float(coding_rate(ORTH2, eps=math.sqrt(0.5))) == pytest.approx(math.log(3), rel=1e-12)
    assert float(coding_rate(ORTH2, eps=0.5)) == pytest.approx(math.log(5), rel=1e-12)


def test_sylvester_wide_and_tall_agree() -> None:
    z = torch.randn(5, 9, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    wide = coding_rate(z, eps_squared=0.3)  # n < d path
    eye = torch.eye(9, dtype=torch.float64)
    direct = 0.5 * torch.logdet(eye + 9 / (5 * 0.3) * z.T @ z)
    assert float(wide) == pytest.approx(float(direct), rel=1e-12)


def test_eps_validation() -> None:
    msg = "coding_rate needs exactly one of 'eps'"
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        coding_rate(ORTH2)
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        coding_rate(ORTH2, eps=0.1, eps_squared=0.01)
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The 'eps' parameter of coding_rate must be a float in the range (0, inf). Got 0 instead."
        ),
    ):
        coding_rate(ORTH2, eps=0)
    with pytest.raises(InvalidParameterError, match="eps_squared"):
        rate_reduction(ORTH2, ORTH2_LABELS, eps_squared=-1.0)


def test_bad_inputs() -> None:
    with pytest.raises(InvalidInputError, match="contains NaN"):
        coding_rate(torch.tensor([[math.nan, 0.0]]), eps=1.0)
    with pytest.raises(InvalidInputError, match="inconsistent numbers of samples"):
        rate_reduction(ORTH2, torch.tensor([0, 1, 1]), eps=1.0)
    with pytest.raises(InvalidInputError, match=re.escape("class indices in [0, 2)")):
        rate_reduction(ORTH2, torch.tensor([0, 2]), eps=1.0, n_classes=2)


def test_gradient_flows() -> None:
    z = N4D3.clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: rate_reduction(t, N4D3_LABELS, eps_squared=0.5), (z,))


def test_streaming_equals_one_pass() -> None:
    gen = torch.Generator().manual_seed(1)
    z = torch.randn(103, 4, generator=gen, dtype=torch.float64)
    labels = torch.randint(0, 3, (103,), generator=gen)
    metric = RateReduction(dim=4, n_classes=3, eps_squared=0.5)
    for start in range(0, 103, 17):
        metric.update(z[start : start + 17], labels[start : start + 17])
    total, classes, delta = metric.compute_parts()
    assert float(total) == pytest.approx(float(coding_rate(z, eps_squared=0.5)), rel=1e-12)
    assert float(classes) == pytest.approx(
        float(class_coding_rate(z, labels, eps_squared=0.5)), rel=1e-12
    )
    assert float(metric.compute()) == pytest.approx(
        float(rate_reduction(z, labels, eps_squared=0.5)), rel=1e-12
    )
    assert float(delta) == pytest.approx(float(metric.compute()), rel=1e-14)
    metric.reset()
    metric.update(z[:2], labels[:2])
    assert float(metric.compute()) == pytest.approx(
        float(rate_reduction(z[:2], labels[:2], eps_squared=0.5, n_classes=3)), rel=1e-12
    )


def test_coding_rate_accumulator_checks_dim_and_empty() -> None:
    metric = CodingRate(dim=3, eps=1.0)
    with pytest.raises(InvalidParameterError, match=re.escape("built for dim=3")):
        metric.update(torch.zeros(2, 4))
    with (
        pytest.warns(UserWarning, match="before any update"),
        pytest.raises(InsufficientSamplesError),
    ):
        metric.compute()
    metric.update(np.eye(3))  # numpy input accepted
    assert float(metric.compute()) == pytest.approx(0.5 * 3 * math.log(2.0), rel=1e-12)


def test_class_grams_paths_agree() -> None:
    from infolens.metrics.coding_rate import _class_grams, _class_grams_split

    gen = torch.Generator().manual_seed(2)
    z = torch.randn(40, 3, generator=gen, dtype=torch.float64)
    labels = torch.randint(0, 5, (40,), generator=gen)
    labels[labels == 3] = 4  # an empty class
    a, ca = _class_grams(z, labels, 6)
    b, cb = _class_grams_split(z, labels, 6)
    assert torch.allclose(a, b, rtol=1e-12, atol=1e-12)
    assert torch.equal(ca, cb)
    assert float(ca[3]) == 0.0
    fast = RateReduction(dim=3, n_classes=6, eps=1.0, validate_args=False)
    fast.update(z, labels)
    assert float(fast.compute()) == pytest.approx(
        float(rate_reduction(z, labels, eps=1.0, n_classes=6)), rel=1e-12
    )


def test_accumulator_states_do_not_keep_the_graph() -> None:
    z = torch.randn(8, 3, requires_grad=True)
    metric = RateReduction(dim=3, n_classes=2, eps=1.0)
    metric.update(z, torch.arange(8) % 2)
    assert not metric.gram.requires_grad
    assert not metric.class_gram.requires_grad
