"""The functional API: ``entropy``, ``mutual_information`` and ``conditional_mutual_information``.

``method="auto"`` picks an estimator from the data types, by this documented rule:

* every input holds integers, booleans, strings or categories → ``"miller_madow"``;
* some numeric input is an integer/boolean array or a column with repeated values →
  ``"mixed_knn"`` (MI and CMI; exact handling of ties);
* otherwise (continuous floats, no repeats) → ``"kl"`` (entropy), ``"ksg"`` (MI) or
  ``"frenzel_pompe"`` (CMI).

Entropy of floats with repeated values stays ``"kl"``, which then explains why a differential
entropy does not exist. The rule is recorded in ``Estimate.details["auto"]``.
"""

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from infolens._estimate import Estimate
from infolens._typing import ArrayLike, Quantity, RNGLike, Units
from infolens._units import check_units
from infolens._validation import check_categorical, check_rng
from infolens.estimators.registry import make_estimator
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


def _dispatch(
    quantity: Quantity,
    data: Sequence[ArrayLike],
    method: str,
    units: str,
    rng: RNGLike,
    ci: float | None,
    params: dict[str, Any],
) -> Estimate:
    """Apply the conventions once (units, rng, ci), pick the method, estimate, convert."""
    check_units(units)
    generator = check_rng(rng)
    level = None
    if ci is not None:
        from infolens import uncertainty

        level = uncertainty.check_level(ci)
    reason = None
    if method == "auto":
        method, reason = choose_method(quantity, data)
    estimator = make_estimator(method, quantity, **params)
    result: Estimate = getattr(estimator, quantity)(*data, rng=generator)
    if reason is not None:
        result = dataclasses.replace(result, details={**result.details, "auto": reason})
    if level is not None:
        result = uncertainty.attach_interval(
            result, estimator, quantity, list(data), level, generator
        )
    return result.to(units)


def entropy(
    x: ArrayLike,
    *,
    method: str = "auto",
    units: Units = "nats",
    rng: RNGLike = None,
    ci: float | None = None,
    **params: Any,
) -> Estimate:
    """Estimate the entropy H(X) (differential for continuous methods, discrete otherwise).

    Parameters
    ----------
    x : array-like of shape (n_samples,) or (n_samples, dim)
        Samples; a 2-D input is one joint (multivariate) variable.
    method : str, default="auto"
        Registry name (see :func:`infolens.available_methods`) or ``"auto"`` (module docstring).
    units : {"nats", "bits"}, default="nats"
        Units of the returned value.
    rng : int, numpy.random.Generator or None, default=None
        Randomness for estimators that use it; the same seed gives the same result.
    ci : float or None, default=None
        Level in (0, 1) of a confidence interval to compute (e.g. 0.95), stored in
        ``Estimate.ci`` with its method and standard error (see ``docs/uncertainty.md``).
    **params
        Hyper-parameters of the chosen estimator (e.g. ``k=5``).

    Returns
    -------
    Estimate
        The estimate, in ``units``.

    Raises
    ------
    ValueError
        On malformed data, unknown methods, units or parameters.
    TypeError
        On non-numeric data for a numeric method.

    Examples
    --------
    >>> import infolens
    >>> infolens.entropy([0, 1, 2, 3], method="plugin", units="bits").value
    2.0
    """
    return _dispatch("entropy", [x], method, units, rng, ci, params)


def mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    *,
    method: str = "auto",
    units: Units = "nats",
    rng: RNGLike = None,
    ci: float | None = None,
    **params: Any,
) -> Estimate:
    """Estimate the mutual information I(X; Y) between (multivariate) X and Y.

    Parameters
    ----------
    x, y : array-like of shape (n_samples,) or (n_samples, dim)
        Paired samples; multi-column inputs are joint variables (not per-feature MI).
    method : str, default="auto"
        Registry name (see :func:`infolens.available_methods`) or ``"auto"`` (module docstring).
    units : {"nats", "bits"}, default="nats"
        Units of the returned value.
    rng : int, numpy.random.Generator or None, default=None
        Randomness for estimators that use it; the same seed gives the same result.
    ci : float or None, default=None
        Level in (0, 1) of a confidence interval to compute (e.g. 0.95), stored in
        ``Estimate.ci`` with its method and standard error (see ``docs/uncertainty.md``).
    **params
        Hyper-parameters of the chosen estimator (e.g. ``k=5``, ``variant=2``).

    Returns
    -------
    Estimate
        The estimate, in ``units``.

    Raises
    ------
    ValueError
        On malformed data, unknown methods, units or parameters.
    TypeError
        On non-numeric data for a numeric method.

    Examples
    --------
    >>> import numpy as np, infolens
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((5000, 2))
    >>> y = x + rng.standard_normal((5000, 2))
    >>> est = infolens.mutual_information(x, y, method="gaussian", units="bits")
    >>> abs(est.value - 1.0) < 0.1  # the truth is 1 bit
    True
    """
    return _dispatch("mutual_information", [x, y], method, units, rng, ci, params)


def conditional_mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    z: ArrayLike,
    *,
    method: str = "auto",
    units: Units = "nats",
    rng: RNGLike = None,
    ci: float | None = None,
    **params: Any,
) -> Estimate:
    """Estimate the conditional mutual information I(X; Y | Z).

    Parameters
    ----------
    x, y, z : array-like of shape (n_samples,) or (n_samples, dim)
        Jointly drawn samples.
    method : str, default="auto"
        Registry name (see :func:`infolens.available_methods`) or ``"auto"`` (module docstring).
    units : {"nats", "bits"}, default="nats"
        Units of the returned value.
    rng : int, numpy.random.Generator or None, default=None
        Randomness for estimators that use it; the same seed gives the same result.
    ci : float or None, default=None
        Level in (0, 1) of a confidence interval to compute (e.g. 0.95), stored in
        ``Estimate.ci`` with its method and standard error (see ``docs/uncertainty.md``).
    **params
        Hyper-parameters of the chosen estimator.

    Returns
    -------
    Estimate
        The estimate, in ``units``.

    Raises
    ------
    ValueError
        On malformed data, unknown methods, units or parameters.
    TypeError
        On non-numeric data for a numeric method.

    Examples
    --------
    >>> import infolens
    >>> x, y, z = [0, 1, 0, 1], [0, 1, 1, 0], [0, 0, 1, 1]  # y = x XOR z
    >>> infolens.conditional_mutual_information(x, y, z, method="plugin", units="bits").value
    1.0
    """
    return _dispatch("conditional_mutual_information", [x, y, z], method, units, rng, ci, params)
