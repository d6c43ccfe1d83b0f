"""The shared discrete kernel: symbol coding."""

import numpy as np

from infolens.estimators._discrete import encode, entropy_of_codes, joint_codes


def test_encode_rows_of_mixed_labels() -> None:
    data = np.array([["a", 1], ["b", 1], ["a", 1], ["a", 2]], dtype=object)
    codes = encode(data)
    assert codes[0] == codes[2]
    assert len(set(codes.tolist())) == 3


def test_joint_codes_and_entropy() -> None:
    x, y = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    assert entropy_of_codes(joint_codes([x, y]), miller_madow=False) == np.log(4)
    assert entropy_of_codes(x, miller_madow=True) == np.log(2) + 1 / 8
