"""Estimates across every family reproduce the values frozen before the architecture refactor.

Values computed natively in nats must match bit for bit; information-plane values were stored from
a record in bits, so they may differ by the rounding of one unit conversion (relative 1e-15).
"""

import json
import math

import pytest

from tests.golden.cases import CASES, GOLDEN

_FROZEN = {name: float(text) for name, text in json.loads(GOLDEN.read_text()).items()}
# Frozen from records in bits and converted (x ln 2), before and/or after the refactor.
_CONVERTED = {"infoplane_fixed", "infoplane_kde", "infoplane_knn"}


def test_every_case_has_a_frozen_value() -> None:
    assert sorted(_FROZEN) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_value_reproduces(name: str) -> None:
    value = CASES[name]()
    if name in _CONVERTED:
        assert math.isclose(value, _FROZEN[name], rel_tol=1e-15, abs_tol=1e-15), (
            value,
            _FROZEN[name],
        )
    else:
        assert value == _FROZEN[name], (value, _FROZEN[name])
