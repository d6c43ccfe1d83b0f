"""Miller–Madow estimator: exact test vectors (../shared/specs/measures.md §1.1–1.2) to 1e-10."""

import numpy as np
import pytest

from infolens.estimators.miller_madow import MillerMadowEstimator
from infolens.estimators.plugin import PluginEstimator


def test_miller_madow_entropy_counts_observed_symbols_only() -> None:
    # counts 3, 1, 0, 4: K = 3 observed symbols (not 4), correction (3 - 1) / (2 * 8).
    est = MillerMadowEstimator().entropy([0, 0, 0, 1, 3, 3, 3, 3])
    assert est.value == pytest.approx(1.0993147528693494, abs=1e-10)
    assert est.to("bits").value == pytest.approx(1.585975942340687, abs=1e-10)


def test_miller_madow_mutual_information_spec_vector() -> None:
    x, y = [0, 0, 1, 1, 0, 1, 0, 1], [0, 0, 1, 1, 1, 0, 0, 1]
    assert MillerMadowEstimator().mutual_information(x, y).value == pytest.approx(
        0.06831203594113688, abs=1e-10
    )


def test_miller_madow_cmi_is_the_sum_of_corrected_entropies(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x, y, z = rng.integers(0, 3, 200), rng.integers(0, 4, 200), rng.integers(0, 2, 200)
    plugin = PluginEstimator().conditional_mutual_information(x, y, z).value

    def k(*parts: np.ndarray) -> int:
        return len({tuple(row) for row in np.column_stack(parts)})

    correction = (k(x, z) + k(y, z) - k(x, y, z) - k(z)) / 400
    value = MillerMadowEstimator().conditional_mutual_information(x, y, z).value
    assert value == pytest.approx(plugin + correction, abs=1e-12)
