"""The functional API: ``entropy``, ``mutual_information`` and ``conditional_mutual_information``.

Each function applies the conventions once (``units``, ``rng``, ``ci``), resolves ``method``
(``"auto"``: :func:`infolens.auto.choose_method`, whose rule and reason are recorded in
``Estimate.details["auto"]``), dispatches to the registry and converts the result.
"""

import dataclasses
from collections.abc import Sequence
from typing import Any

from infolens._estimate import Estimate
from infolens._typing import ArrayLike, Quantity, RNGLike, Units
from infolens._units import check_units
from infolens._validation import check_rng
from infolens.auto import choose_method
from infolens.estimators.registry import make_estimator


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
        Registry name (see :func:`infolens.available_methods`) or ``"auto"`` (:mod:`infolens.auto`).
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
        Registry name (see :func:`infolens.available_methods`) or ``"auto"`` (:mod:`infolens.auto`).
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
        Registry name (see :func:`infolens.available_methods`) or ``"auto"`` (:mod:`infolens.auto`).
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
