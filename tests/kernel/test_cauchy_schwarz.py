import math
import re
import time

import numpy as np
import pytest

from infolens.kernel import _gram as gram_module
from infolens.kernel import cauchy_schwarz_divergence, cauchy_schwarz_mutual_information
from tests.kernel._data import X, Y


def _dense_cs_qmi(x: np.ndarray, y: np.ndarray, sx: float, sy: float) -> float:
    k = np.exp(-np.sum((x[:, None] - x[None]) ** 2, axis=-1) / (2 * sx**2))
    q = np.exp(-np.sum((y[:, None] - y[None]) ** 2, axis=-1) / (2 * sy**2))
    n = len(x)
    return float(
        np.log(np.trace(k @ q) / n**2)
        + np.log(k.sum() * q.sum() / n**4)
        - 2 * np.log(np.ones(n) @ k @ q @ np.ones(n) / n**3)
    )


def test_cs_divergence_spec_vector() -> None:
    # Corrections item 5 (confirmed by integrating the KDEs with h = sigma / sqrt 2)
    est = cauchy_schwarz_divergence([0, 1, 2], [0.5, 1.5], sigma=1.0)
    assert est.value == pytest.approx(0.046843616470666594, rel=1e-10)
    assert est.quantity == "divergence"
    assert est.n_samples == 5
    bits = cauchy_schwarz_divergence([0, 1, 2], [0.5, 1.5], sigma=1.0, units="bits")
    assert bits.value == pytest.approx(0.0675810532, abs=1e-10)


def test_cs_qmi_spec_vector() -> None:
    est = cauchy_schwarz_mutual_information(X, Y, sigma_x=1.0, sigma_y=1.0)
    assert est.value == pytest.approx(0.10877216999612405, rel=1e-10)
    bits = cauchy_schwarz_mutual_information(X, Y, sigma_x=1.0, sigma_y=1.0, units="bits")
    assert bits.value == pytest.approx(0.15692507024013946, rel=1e-10)
    assert bits.units == "bits"


def test_cs_qmi_csib_default_width_vector() -> None:
    # CSIB's sigma=None path gives sigma_x=20, sigma_y=10 on this data (spec §3.2); we pass them
    # explicitly. Corrections item 8: atol 1e-15. The exact value (40-digit mpmath) is
    # 5.5516090347616334e-06 bits; the spec's own value is 8e-16 away from it.
    bits = cauchy_schwarz_mutual_information(X, Y, sigma_x=20.0, sigma_y=10.0, units="bits")
    assert bits.value == pytest.approx(5.551609035567978e-06, abs=1e-15)
    assert bits.value == pytest.approx(5.5516090347616334e-06, abs=5e-16)


def test_cs_divergence_zero_for_identical_and_nonnegative(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    p = rng.standard_normal((50, 2))
    assert cauchy_schwarz_divergence(p, p.copy()).value == 0.0
    for shift in (0.1, 1.0, 5.0):
        assert cauchy_schwarz_divergence(p, p[:30] + shift).value > 0.0


def test_cs_divergence_far_apart_is_finite() -> None:
    value = cauchy_schwarz_divergence([0.0, 0.1], [100.0, 100.1], sigma=0.1).value
    assert math.isfinite(value)
    assert value > 1000


def test_cs_qmi_symmetric_nonnegative_and_matches_dense(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal((40, 3))
    y = x[:, :1] ** 2 + rng.standard_normal((40, 1))
    ixy = cauchy_schwarz_mutual_information(x, y, sigma_x=1.3, sigma_y=0.7)
    iyx = cauchy_schwarz_mutual_information(y, x, sigma_x=0.7, sigma_y=1.3)
    assert ixy.value == pytest.approx(iyx.value, rel=1e-12)
    assert ixy.value >= 0
    assert ixy.value == pytest.approx(_dense_cs_qmi(x, y, 1.3, 0.7), rel=1e-12)


def test_cs_blocked_equals_dense(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal((600, 2))
    y = np.sin(x[:, :1]) + 0.3 * rng.standard_normal((600, 1))
    blocked = cauchy_schwarz_mutual_information(x, y, _block=100)
    dense = _dense_cs_qmi(x, y, blocked.params["sigma_x"], blocked.params["sigma_y"])
    assert blocked.value == pytest.approx(dense, rel=1e-12, abs=1e-12)
    p, q = x[:350], x[350:] + 0.2
    div_blocked = cauchy_schwarz_divergence(p, q, sigma=1.0, _block=100).value
    div_one = cauchy_schwarz_divergence(p, q, sigma=1.0, _block=600).value
    assert div_blocked == pytest.approx(div_one, abs=1e-12)


def test_cs_block_size_is_a_monkeypatchable_constant(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cauchy_schwarz_mutual_information(X, Y, sigma_x=1.0, sigma_y=1.0).value
    monkeypatch.setattr(gram_module, "BLOCK_SIZE", 4)
    after = cauchy_schwarz_mutual_information(X, Y, sigma_x=1.0, sigma_y=1.0).value
    assert after == pytest.approx(before, rel=1e-14)


def test_cs_qmi_large_n_runs_blocked(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.standard_normal((10_000, 2))
    y = x[:, :1] + rng.standard_normal((10_000, 1))
    start = time.perf_counter()
    est = cauchy_schwarz_mutual_information(x, y)
    assert time.perf_counter() - start < 10
    assert est.n_samples == 10_000
    assert est.value > 0


def test_cs_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=re.escape("Input y contains NaN")):
        cauchy_schwarz_mutual_information(X, [0, 1, 2, np.nan, 1, 1])
    msg = "Found input variables with inconsistent numbers of samples: [6, 5]"
    with pytest.raises(ValueError, match=re.escape(msg)):
        cauchy_schwarz_mutual_information(X, Y[:5])
    msg = "The 'sigma_x' parameter of cauchy_schwarz_mutual_information must be a float in the range (0, inf). Got -1.0 instead."
    with pytest.raises(ValueError, match=re.escape(msg)):
        cauchy_schwarz_mutual_information(X, Y, sigma_x=-1.0)
    msg = "The 'sigma' parameter of cauchy_schwarz_divergence must be a float in the range (0, inf). Got 0.0 instead."
    with pytest.raises(ValueError, match=re.escape(msg)):
        cauchy_schwarz_divergence([0, 1], [2, 3], sigma=0.0)
    msg = "Inputs p_samples and q_samples must have the same number of features; got 2 and 1."
    with pytest.raises(ValueError, match=re.escape(msg)):
        cauchy_schwarz_divergence(X, Y)
    with pytest.raises(ValueError, match=re.escape("Input q_samples contains infinity")):
        cauchy_schwarz_divergence([0, 1], [np.inf, 3])
