"""The validation module: every bad input gets a precise error naming expected and received."""

import re

import numpy as np
import pandas as pd
import pytest

from infolens._validation import (
    check_array,
    check_categorical,
    check_choice,
    check_consistent_length,
    check_int,
    check_positive_real,
    check_rng,
)
from infolens.exceptions import InvalidDataTypeError, InvalidInputError, InvalidParameterError


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (
            [1.0, np.nan, 2.0],
            ValueError,
            "Input x contains NaN: expected finite values; found 1 non-finite value(s), the first in row 1.",
        ),
        (
            [[1.0], [np.inf]],
            ValueError,
            "Input x contains infinity: expected finite values; found 1 non-finite value(s), the first in row 1.",
        ),
        ([], ValueError, "Input x is empty: expected at least one sample; got shape (0, 1)."),
        (
            np.zeros((4, 0)),
            ValueError,
            "Input x has no features: expected at least one column; got shape (4, 0).",
        ),
        (
            np.zeros((2, 2, 2)),
            ValueError,
            "Input x must be 1-D (n_samples,) or 2-D (n_samples, n_features); got a 3-D array of shape (2, 2, 2).",
        ),
        (3.0, ValueError, "got a scalar"),
        (
            [1 + 2j, 3j],
            TypeError,
            "Input x must contain real numbers (int, float or bool); got complex data (dtype complex128).",
        ),
        (np.array([1, "a"], dtype=object), TypeError, "got object data (dtype object)"),
        (
            ["a", "b"],
            TypeError,
            "got string data (dtype <U1). For categorical data use method='plugin' or 'miller_madow'.",
        ),
        ([[1.0, 2.0], [3.0]], ValueError, "Input x must be a rectangular array of samples"),
        (None, TypeError, "Input x must be array-like; got None."),
    ],
)
def test_check_array_rejects_bad_input(data: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        check_array(data)


def test_check_array_promotes_and_converts_inputs() -> None:
    assert check_array([1, 2, 3]).shape == (3, 1)
    assert check_array([True, False]).dtype == np.float64
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4]})
    np.testing.assert_array_equal(check_array(frame), [[1.0, 3.0], [2.0, 4.0]])
    assert check_array(pd.Series([1.0, 2.0])).shape == (2, 1)


def test_check_array_accepts_torch_tensors() -> None:
    torch = pytest.importorskip("torch")  # torch is installed in CI (.ci/run); optional for users
    tensor = torch.arange(6, dtype=torch.float32, requires_grad=True).reshape(3, 2)
    np.testing.assert_array_equal(check_array(tensor), [[0, 1], [2, 3], [4, 5]])


def test_check_categorical_accepts_labels_and_rejects_complex() -> None:
    assert check_categorical(["a", "b"]).shape == (2, 1)
    assert check_categorical(np.array(["a", 1], dtype=object)).dtype == object
    with pytest.raises(InvalidDataTypeError, match=re.escape("got complex data")):
        check_categorical([1j])
    with pytest.raises(InvalidInputError, match="contains NaN"):
        check_categorical([1.0, np.nan])


def test_check_consistent_length_message() -> None:
    msg = "Found input variables with inconsistent numbers of samples: [100, 99]"
    with pytest.raises(ValueError, match=re.escape(msg)):
        check_consistent_length([np.zeros((100, 1)), np.zeros((99, 2))])


def test_check_rng_normalises_and_rejects() -> None:
    assert check_rng(3).random() == np.random.default_rng(3).random()
    generator = np.random.default_rng(0)
    assert check_rng(generator) is generator
    with pytest.raises(InvalidParameterError, match=re.escape("got str ('seed')")):
        check_rng("seed")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=re.escape("got bool (True)")):
        check_rng(True)


def test_check_int_and_positive_real_messages() -> None:
    assert check_int(np.int64(4), name="k", owner="X") == 4
    with pytest.raises(
        ValueError,
        match=re.escape(
            "The 'k' parameter of X must be an int in the range [1, inf). Got '3' instead."
        ),
    ):
        check_int("3", name="k", owner="X")
    with pytest.raises(ValueError, match=re.escape("Got nan instead.")):
        check_positive_real(float("nan"), name="width", owner="X")


def test_check_choice_lists_available_options() -> None:
    with pytest.raises(
        ValueError, match=re.escape("Unknown units 'bytes'. Available: 'bits', 'nats'.")
    ):
        check_choice("bytes", ("nats", "bits"), name="units")
