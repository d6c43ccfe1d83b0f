"""The ``method="auto"`` rule: which estimator the functional API uses when none is named.

``method="auto"`` picks an estimator from the data types, by this documented rule:

* every input holds integers, booleans, strings or categories → ``"miller_madow"``;
* some numeric input is an integer/boolean array or a column with repeated values →
  ``"mixed_knn"`` (MI and CMI; exact handling of ties);
* otherwise (continuous floats, no repeats) → ``"kl"`` (entropy), ``"ksg"`` (MI) or
  ``"frenzel_pompe"`` (CMI).

Entropy of floats with repeated values stays ``"kl"``, which then explains why a differential
entropy does not exist. The rule is recorded in ``Estimate.details["auto"]``.
"""

from collections.abc import Sequence

import numpy as np

from infolens._typing import ArrayLike, Quantity
from infolens._validation import check_categorical
from infolens.exceptions import InvalidDataTypeError

_CONTINUOUS_METHOD: dict[Quantity, str] = {
    "entropy": "kl",
    "mutual_information": "ksg",
    "conditional_mutual_information": "frenzel_pompe",
}


def choose_method(quantity: Quantity, data: Sequence[ArrayLike]) -> tuple[str, str]:
    """Return the method ``"auto"`` picks for ``quantity`` on ``data``, and the reason.

    Examples
    --------
    >>> choose_method("mutual_information", [[0.1, 0.5, 0.2], [1.0, 2.0, 3.0]])[0]
    'ksg'
    >>> choose_method("entropy", [["a", "b", "a"]])[0]
    'miller_madow'
    """
    arrays = [check_categorical(a, name=name) for a, name in zip(data, "xyz", strict=False)]
    kinds = [a.dtype.kind for a in arrays]
    if all(kind != "f" for kind in kinds):
        return "miller_madow", "all inputs are discrete (integer, boolean or categorical)"
    if any(kind in "OUS" for kind in kinds):
        raise InvalidDataTypeError(
            "method='auto' cannot mix category labels with continuous data: encode the labels "
            "as integers and use method='mixed_knn', or choose a method explicitly."
        )
    if quantity != "entropy":
        if any(kind in "biu" for kind in kinds):
            return "mixed_knn", "continuous data mixed with integer/boolean data"
        if any(np.unique(col).size < col.size for a in arrays for col in a.T):
            return "mixed_knn", "continuous data with repeated values"
    return _CONTINUOUS_METHOD[quantity], "continuous data without repeated values"
