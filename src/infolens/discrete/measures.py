"""Information measures of a known joint pmf (axes = variables), computed exactly.

Every function takes a joint probability table ``p`` (see :func:`infolens.discrete.check_pmf`),
computes in nats with ``0 log 0 = 0``, and converts to ``units`` once at the end. Sets of variables
are given as axes (an int or a sequence of ints); overlapping sets are allowed and treated as
sets, so ``mutual_information(p, 0, 0) == entropy`` of axis 0. To run these on samples, build the
plug-in table with :func:`infolens.discrete.pmf_from_samples` (the bias-corrected sample estimators
live in :func:`infolens.entropy` and :func:`infolens.mutual_information`).
"""

import itertools
import math
from collections.abc import Iterable

import numpy as np
from scipy.special import xlogy

from infolens._typing import ArrayLike, FloatArray
from infolens._units import check_units, from_nats
from infolens.discrete._pmf import Axes, _marginal, check_axes, check_pmf
from infolens.exceptions import InvalidInputError


def _entropy_nats(table: FloatArray) -> float:
    """Shannon entropy in nats of a (flattened) table, with 0 log 0 = 0."""
    return float(-xlogy(table, table).sum())


def _h(table: FloatArray, axes: Iterable[int]) -> float:
    """Joint entropy in nats of the variables on ``axes`` (0 for the empty set)."""
    kept = tuple(sorted(set(axes)))
    return _entropy_nats(_marginal(table, kept)) if kept else 0.0


def _co_information_nats(table: FloatArray) -> float:
    n = table.ndim
    total = 0.0
    for size in range(1, n + 1):
        sign = 1.0 if size % 2 else -1.0
        total += sign * sum(_h(table, s) for s in itertools.combinations(range(n), size))
    return total


def _nonnegative(value: float) -> float:
    """Clip the rounding error of a quantity that is non-negative in exact arithmetic."""
    return max(value, 0.0)


def entropy(p: ArrayLike, *, units: str = "nats") -> float:
    """Return the Shannon entropy of the joint pmf ``p`` (all axes together).

    Parameters
    ----------
    p : array-like of shape (n_0, ..., n_{k-1})
        Joint pmf, one axis per variable.
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    entropy : float
        H(X_0, ..., X_{k-1}) in ``units``.

    Examples
    --------
    >>> entropy([0.5, 0.25, 0.125, 0.125], units="bits")
    1.75
    """
    units = check_units(units)
    return from_nats(_entropy_nats(check_pmf(p)), units)


def joint_entropy(p: ArrayLike, axes: Axes, *, units: str = "nats") -> float:
    """Return the joint entropy of the variables on ``axes``.

    Parameters
    ----------
    p : array-like of shape (n_0, ..., n_{k-1})
        Joint pmf, one axis per variable.
    axes : int or sequence of int
        The variables whose joint entropy is wanted (the others are summed out).
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    entropy : float
        H(X_axes) in ``units``.

    Examples
    --------
    >>> joint_entropy([[0.25, 0.25], [0.5, 0.0]], 0, units="bits")
    1.0
    """
    units = check_units(units)
    table = check_pmf(p)
    return from_nats(_h(table, check_axes(axes, table.ndim)), units)


def conditional_entropy(
    p: ArrayLike, target_axes: Axes, given_axes: Axes, *, units: str = "nats"
) -> float:
    """Return the conditional entropy H(target | given) = H(target, given) - H(given).

    Parameters
    ----------
    p : array-like of shape (n_0, ..., n_{k-1})
        Joint pmf, one axis per variable.
    target_axes : int or sequence of int
        Variables whose uncertainty is measured.
    given_axes : int or sequence of int
        Conditioning variables (may be empty).
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    conditional_entropy : float
        H(X_target | X_given) in ``units``, >= 0.

    Examples
    --------
    >>> round(conditional_entropy([[0.25, 0.25], [0.5, 0.0]], 1, 0, units="bits"), 12)
    0.5
    """
    units = check_units(units)
    table = check_pmf(p)
    t = check_axes(target_axes, table.ndim, name="target_axes")
    g = check_axes(given_axes, table.ndim, name="given_axes")
    return from_nats(_nonnegative(_h(table, t + g) - _h(table, g)), units)


def mutual_information(p: ArrayLike, axes_a: Axes, axes_b: Axes, *, units: str = "nats") -> float:
    """Return I(A; B) = H(A) + H(B) - H(A, B) between two sets of variables.

    Parameters
    ----------
    p : array-like of shape (n_0, ..., n_{k-1})
        Joint pmf, one axis per variable.
    axes_a, axes_b : int or sequence of int
        The two sets of variables.
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    mutual_information : float
        I(X_a; X_b) in ``units``, >= 0.

    Examples
    --------
    >>> mutual_information([[0.5, 0.0], [0.0, 0.5]], 0, 1, units="bits")
    1.0
    """
    units = check_units(units)
    table = check_pmf(p)
    a = check_axes(axes_a, table.ndim, name="axes_a")
    b = check_axes(axes_b, table.ndim, name="axes_b")
    value = _h(table, a) + _h(table, b) - _h(table, a + b)
    return from_nats(_nonnegative(value), units)


def conditional_mutual_information(
    p: ArrayLike, a: Axes, b: Axes, given: Axes, *, units: str = "nats"
) -> float:
    """Return I(A; B | C) = H(A, C) + H(B, C) - H(A, B, C) - H(C).

    Parameters
    ----------
    p : array-like of shape (n_0, ..., n_{k-1})
        Joint pmf, one axis per variable.
    a, b : int or sequence of int
        The two sets of variables.
    given : int or sequence of int
        The conditioning variables C (may be empty).
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    conditional_mutual_information : float
        I(X_a; X_b | X_given) in ``units``, >= 0.

    Examples
    --------
    >>> xor = np.zeros((2, 2, 2))
    >>> for x1 in (0, 1):
    ...     for x2 in (0, 1):
    ...         xor[x1, x2, x1 ^ x2] = 0.25
    >>> round(conditional_mutual_information(xor, 0, 2, 1, units="bits"), 12)
    1.0
    """
    units = check_units(units)
    table = check_pmf(p)
    ax = check_axes(a, table.ndim, name="a")
    bx = check_axes(b, table.ndim, name="b")
    cx = check_axes(given, table.ndim, name="given")
    value = _h(table, ax + cx) + _h(table, bx + cx) - _h(table, ax + bx + cx) - _h(table, cx)
    return from_nats(_nonnegative(value), units)


def _check_pair(p: ArrayLike, q: ArrayLike) -> tuple[FloatArray, FloatArray]:
    pt, qt = check_pmf(p, name="p"), check_pmf(q, name="q")
    if pt.shape != qt.shape:
        raise InvalidInputError(
            f"Inputs p and q must have the same shape; got {pt.shape} and {qt.shape}."
        )
    return pt, qt


def _kl_nats(p: FloatArray, q: FloatArray) -> float:
    support = p > 0
    if (q[support] == 0).any():
        return math.inf
    ps, qs = p[support], q[support]
    return _nonnegative(float((ps * np.log(ps / qs)).sum()))


def kl_divergence(p: ArrayLike, q: ArrayLike, *, units: str = "nats") -> float:
    """Return the Kullback–Leibler divergence D(p || q) = sum p log(p / q).

    Parameters
    ----------
    p, q : array-like of the same shape
        Two pmfs over the same outcomes.
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    kl_divergence : float
        D(p || q) in ``units``, >= 0. It is ``inf`` exactly when some outcome has p > 0 and
        q = 0: that is the true value of the divergence, not an error (no epsilon is added).

    Raises
    ------
    ValueError
        If p or q is not a valid pmf or their shapes differ.

    Examples
    --------
    >>> round(kl_divergence([0.5, 0.5], [0.25, 0.75], units="bits"), 12)
    0.207518749639
    >>> kl_divergence([0.5, 0.5], [1.0, 0.0])
    inf
    """
    units = check_units(units)
    pt, qt = _check_pair(p, q)
    return from_nats(_kl_nats(pt, qt), units)


def js_divergence(p: ArrayLike, q: ArrayLike, *, units: str = "nats") -> float:
    """Return the Jensen–Shannon divergence (D(p || m) + D(q || m)) / 2 with m = (p + q) / 2.

    Parameters
    ----------
    p, q : array-like of the same shape
        Two pmfs over the same outcomes.
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    js_divergence : float
        JSD(p, q) in ``units``, in [0, ln 2] nats = [0, 1] bits; always finite.

    Examples
    --------
    >>> js_divergence([1.0, 0.0], [0.0, 1.0], units="bits")
    1.0
    """
    units = check_units(units)
    pt, qt = _check_pair(p, q)
    m = (pt + qt) / 2
    return from_nats(0.5 * _kl_nats(pt, m) + 0.5 * _kl_nats(qt, m), units)


def total_correlation(p: ArrayLike, *, units: str = "nats") -> float:
    """Return the total correlation sum_i H(X_i) - H(X_0, ..., X_{k-1}) of all axes.

    Parameters
    ----------
    p : array-like of shape (n_0, ..., n_{k-1})
        Joint pmf, one axis per variable.
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    total_correlation : float
        TC in ``units``, >= 0.

    Examples
    --------
    >>> total_correlation([[0.5, 0.0], [0.0, 0.5]], units="bits")
    1.0
    """
    units = check_units(units)
    table = check_pmf(p)
    value = sum(_h(table, [i]) for i in range(table.ndim)) - _entropy_nats(table)
    return from_nats(_nonnegative(value), units)


def dual_total_correlation(p: ArrayLike, *, units: str = "nats") -> float:
    """Return the dual total correlation H(X) - sum_i H(X_i | X_rest) (binding information).

    Parameters
    ----------
    p : array-like of shape (n_0, ..., n_{k-1})
        Joint pmf, one axis per variable.
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    dual_total_correlation : float
        The dual total correlation in ``units``, >= 0.

    Examples
    --------
    >>> xor = np.zeros((2, 2, 2))
    >>> for x1 in (0, 1):
    ...     for x2 in (0, 1):
    ...         xor[x1, x2, x1 ^ x2] = 0.25
    >>> round(dual_total_correlation(xor, units="bits"), 12)
    2.0
    """
    units = check_units(units)
    table = check_pmf(p)
    n = table.ndim
    joint = _entropy_nats(table)
    rest = sum(joint - _h(table, [j for j in range(n) if j != i]) for i in range(n))
    return from_nats(_nonnegative(joint - rest), units)


def co_information(p: ArrayLike, *, units: str = "nats") -> float:
    """Return the co-information of all axes (McGill / Bell sign).

    The co-information is ``-sum_{S nonempty} (-1)^{|S|} H(X_S)``; for two variables it is
    I(X; Y) and for three it is I(X; Y) - I(X; Y | Z), so XOR gives -1 bit. Beware: other
    libraries call this (or its negative) "interaction information"; see
    :func:`interaction_information` for the opposite sign convention.

    Parameters
    ----------
    p : array-like of shape (n_0, ..., n_{k-1})
        Joint pmf, one axis per variable.
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    co_information : float
        The co-information in ``units`` (may be negative).

    Examples
    --------
    >>> xor = np.zeros((2, 2, 2))
    >>> for x1 in (0, 1):
    ...     for x2 in (0, 1):
    ...         xor[x1, x2, x1 ^ x2] = 0.25
    >>> round(co_information(xor, units="bits"), 12)
    -1.0
    """
    units = check_units(units)
    return from_nats(_co_information_nats(check_pmf(p)), units)


def interaction_information(p: ArrayLike, *, units: str = "nats") -> float:
    """Return the interaction information ``(-1)^k`` times the co-information of k variables.

    This is the sign convention of dit's ``interaction_information``: +1 bit for XOR (k = 3).
    See :func:`co_information` for the McGill / Bell sign.

    Parameters
    ----------
    p : array-like of shape (n_0, ..., n_{k-1})
        Joint pmf, one axis per variable.
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    interaction_information : float
        The interaction information in ``units`` (may be negative).

    Examples
    --------
    >>> xor = np.zeros((2, 2, 2))
    >>> for x1 in (0, 1):
    ...     for x2 in (0, 1):
    ...         xor[x1, x2, x1 ^ x2] = 0.25
    >>> round(interaction_information(xor, units="bits"), 12)
    1.0
    """
    units = check_units(units)
    table = check_pmf(p)
    sign = -1.0 if table.ndim % 2 else 1.0
    return from_nats(sign * _co_information_nats(table), units)
