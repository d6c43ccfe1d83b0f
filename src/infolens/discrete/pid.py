"""Partial information decomposition (PID) of two sources X1, X2 about a target Y.

The atoms satisfy ``I(X1; Y) = R + U1``, ``I(X2; Y) = R + U2`` and
``I(X1, X2; Y) = R + U1 + U2 + S``; a measure fixes the redundancy R (Williams–Beer) or the
unique information (BROJA) and the others follow. The joint pmf has axes ``(X1, X2, Y)``.

Continuous data must be discretised first, for instance with
``infolens.estimators.binning.BinningEstimator(bins=8).bin_indices(x)``, then passed to
:func:`pid_from_samples`.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import LinearConstraint, minimize
from scipy.special import xlogy

from infolens._typing import ArrayLike, FloatArray
from infolens._units import check_units, convert_fields, from_nats
from infolens._validation import check_choice
from infolens.discrete._pmf import _pmf_from_arrays, check_pmf
from infolens.discrete.measures import _entropy_nats, _h
from infolens.exceptions import InvalidInputError

MEASURES: tuple[str, ...] = ("broja", "williams_beer")
#: Largest accepted |R + U1 + U2 + S - I(X1, X2; Y)| (nats) for the closed-form measure.
_SUM_TOLERANCE = 1e-9
#: Largest accepted negative atom (nats) after the BROJA optimisation.
_BROJA_TOLERANCE = 1e-6


@dataclass(frozen=True, kw_only=True)
class PIDResult:
    """The four atoms of a two-source PID and the total they decompose.

    Attributes
    ----------
    redundancy : float
        R, information about Y that both sources carry, in ``units``.
    unique_1 : float
        U1, information about Y only X1 carries, in ``units``.
    unique_2 : float
        U2, information about Y only X2 carries, in ``units``.
    synergy : float
        S, information about Y only the two sources together carry, in ``units``.
    total : float
        I(X1, X2; Y) = R + U1 + U2 + S, in ``units``.
    units : {"nats", "bits"}
        Units of every atom.
    measure : {"williams_beer", "broja"}
        The PID measure used.

    Examples
    --------
    >>> r = PIDResult(redundancy=1.0, unique_1=0.0, unique_2=0.0, synergy=0.0, total=1.0,
    ...               units="bits", measure="williams_beer")
    >>> round(r.to("nats").redundancy, 6)
    0.693147
    """

    redundancy: float
    unique_1: float
    unique_2: float
    synergy: float
    total: float
    units: str
    measure: str

    def to(self, units: str) -> "PIDResult":
        """Return the same decomposition expressed in ``units`` (``"nats"`` or ``"bits"``)."""
        return convert_fields(
            self, units, ("redundancy", "unique_1", "unique_2", "synergy", "total")
        )


def pid(p: ArrayLike, *, measure: str = "williams_beer", units: str = "nats") -> PIDResult:
    """Return the partial information decomposition of a joint pmf with axes (X1, X2, Y).

    Parameters
    ----------
    p : array-like of shape (n_x1, n_x2, n_y)
        Joint pmf of the two sources and the target.
    measure : {"williams_beer", "broja"}, default="williams_beer"
        ``"williams_beer"``: the redundancy ``I_min`` of Williams and Beer [1]_, closed form.
        ``"broja"``: the unique information of Bertschinger et al. [2]_,
        ``U1 = min_q I_q(X1; Y | X2)`` over the joints q with the same (X1, Y) and (X2, Y)
        marginals as p, solved numerically (see Notes).
    units : {"nats", "bits"}, default="nats"
        Units of the atoms.

    Returns
    -------
    result : PIDResult
        Redundancy, the two unique informations, synergy and total I(X1, X2; Y), in ``units``.

    Raises
    ------
    ValueError
        If ``p`` is not a pmf with three axes, or ``measure`` or ``units`` is unknown.
    RuntimeError
        If the atoms fail to add up to I(X1, X2; Y) (1e-9 nats for Williams–Beer) or, for
        BROJA, an atom is more negative than the solver tolerance (1e-6 nats).

    Notes
    -----
    Williams–Beer: ``R = sum_y p(y) min_i I(X_i; Y=y)`` with the specific information
    ``I(X_i; Y=y) = sum_{x_i} p(x_i | y) log[p(y | x_i) / p(y)]``. It gives 1 bit of redundancy
    for the COPY gate Y = (X1, X2) with independent sources, a known flaw; BROJA gives 0.

    BROJA: minimising I_q(X1, X2; Y) over the polytope of matching marginals is equivalent, since
    ``I_q(X1; Y | X2) = I_q(X1, X2; Y) - I(X2; Y)``. For each y the polytope is a transportation
    polytope over the supports of p(x1, y) and p(x2, y); it is parametrised exactly by the moves
    ``E_00 + E_ij - E_0j - E_i0``, and the convex problem is solved by SLSQP (scipy) from the
    deterministic start q = p(x1, y) p(x2, y) / p(y), with the analytic gradient
    ``log q(y | x1, x2)``. Then ``S = I_p(X1, X2; Y) - min``, ``U1 = min - I(X2; Y)``,
    ``U2 = min - I(X1; Y)`` and ``R = I(X1; Y) + I(X2; Y) - min``. Accuracy is about 1e-8 nats.
    SLSQP is dense in the (n_x1 - 1)(n_x2 - 1) n_y free parameters: a 4x4x4 table takes
    0.05 s, 6x6x6 about 5 s and 8x8x8 about 70 s.

    References
    ----------
    .. [1] P. L. Williams and R. D. Beer, "Nonnegative decomposition of multivariate
       information", arXiv:1004.2515, 2010.
    .. [2] N. Bertschinger, J. Rauh, E. Olbrich, J. Jost and N. Ay, "Quantifying unique
       information", Entropy 16(4), 2014.

    Examples
    --------
    >>> xor = np.zeros((2, 2, 2))
    >>> for x1 in (0, 1):
    ...     for x2 in (0, 1):
    ...         xor[x1, x2, x1 ^ x2] = 0.25
    >>> result = pid(xor, units="bits")
    >>> round(result.synergy, 10), round(result.redundancy, 10)
    (1.0, 0.0)
    """
    measure = check_choice(measure, MEASURES, name="measure")
    units = check_units(units)
    table = check_pmf(p)
    if table.ndim != 3:
        raise InvalidInputError(
            f"Input p must have 3 axes (X1, X2, Y) for a two-source PID; got {table.ndim} "
            f"axes with shape {table.shape}."
        )
    i1 = _mi(table, [0], [2])
    i2 = _mi(table, [1], [2])
    total = _mi(table, [0, 1], [2])
    if measure == "williams_beer":
        redundancy = _williams_beer_redundancy(table)
        atoms = (redundancy, i1 - redundancy, i2 - redundancy, total - i1 - i2 + redundancy)
        tolerance = _SUM_TOLERANCE
    else:
        minimum = _broja_min_information(table)
        atoms = (i1 + i2 - minimum, minimum - i2, minimum - i1, total - minimum)
        tolerance = _BROJA_TOLERANCE
    _check_atoms(atoms, total, tolerance, measure)
    # Rounding can leave an atom at -1e-17; the checked atoms are clipped at 0.
    r, u1, u2, s = (from_nats(max(a, 0.0), units) for a in atoms)
    return PIDResult(
        redundancy=r,
        unique_1=u1,
        unique_2=u2,
        synergy=s,
        total=from_nats(total, units),
        units=units,
        measure=measure,
    )


def pid_from_samples(
    x1: ArrayLike,
    x2: ArrayLike,
    y: ArrayLike,
    *,
    measure: str = "williams_beer",
    units: str = "nats",
) -> PIDResult:
    """Return the PID of the plug-in joint pmf of discrete samples of X1, X2 and Y.

    Parameters
    ----------
    x1, x2, y : array-like of shape (n_samples,) or (n_samples, dim)
        Discrete samples (integers, booleans, strings or categories) of the two sources and the
        target; a 2-D array is one joint variable. For continuous data, discretise first, e.g.
        ``BinningEstimator(bins=8).bin_indices(x)`` from :mod:`infolens.estimators.binning`.
    measure : {"williams_beer", "broja"}, default="williams_beer"
        See :func:`pid`.
    units : {"nats", "bits"}, default="nats"
        Units of the atoms.

    Returns
    -------
    result : PIDResult
        The atoms of the empirical (plug-in, not bias-corrected) joint, in ``units``.

    Raises
    ------
    ValueError
        If the samples have different lengths or hold NaN, or ``measure``/``units`` is unknown.

    Examples
    --------
    >>> x1, x2 = [0, 0, 1, 1], [0, 1, 0, 1]
    >>> y = [a & b for a, b in zip(x1, x2)]
    >>> round(pid_from_samples(x1, x2, y, units="bits").synergy, 10)
    0.5
    """
    measure = check_choice(measure, MEASURES, name="measure")
    units = check_units(units)
    table = _pmf_from_arrays([x1, x2, y], ["x1", "x2", "y"])
    return pid(table, measure=measure, units=units)


def _mi(table: FloatArray, a: list[int], b: list[int]) -> float:
    return _h(table, a) + _h(table, b) - _h(table, a + b)


def _check_atoms(atoms: tuple[float, ...], total: float, tolerance: float, measure: str) -> None:
    gap = abs(sum(atoms) - total)
    if gap > tolerance or min(atoms) < -tolerance:
        raise RuntimeError(
            f"The {measure} PID atoms (R, U1, U2, S) = {atoms} nats are inconsistent: expected "
            f"non-negative atoms summing to I(X1, X2; Y) = {total!r} within {tolerance:g}; "
            f"got a gap of {gap!r}. Please report this pmf as a bug."
        )


def _williams_beer_redundancy(table: FloatArray) -> float:
    """I_min redundancy in nats of a validated (X1, X2, Y) table."""
    p_y = table.sum(axis=(0, 1))
    specific = []
    for other_axis in (1, 0):  # source X1 then X2
        p_xy = table.sum(axis=other_axis)  # (x_i, y)
        p_x = p_xy.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            p_x_given_y = np.where(p_y > 0, p_xy / p_y, 0.0)
            log_ratio = np.log(p_xy / (p_x * p_y))  # log p(y|x) / p(y)
            contributions = np.where(p_xy > 0, p_x_given_y * log_ratio, 0.0)
        specific.append(contributions.sum(axis=0))  # I(X_i; Y=y) per y
    return float((p_y * np.minimum(specific[0], specific[1])).sum())


def _broja_min_information(table: FloatArray) -> float:
    """min_q I_q(X1, X2; Y) in nats over q with p's (X1, Y) and (X2, Y) marginals."""
    p1y = table.sum(axis=1)  # (x1, y)
    p2y = table.sum(axis=0)  # (x2, y)
    p_y = p1y.sum(axis=0)
    n1, n2, ny = table.shape
    start = np.zeros_like(table)
    moves: list[tuple[int, int, int, int, int]] = []  # (y, x1_0, x2_0, x1_i, x2_j)
    for y in range(ny):
        if p_y[y] == 0:
            continue
        rows = np.flatnonzero(p1y[:, y] > 0)
        cols = np.flatnonzero(p2y[:, y] > 0)
        start[np.ix_(rows, cols, np.array([y]))] = (
            np.outer(p1y[rows, y], p2y[cols, y])[:, :, None] / p_y[y]
        )
        moves.extend(
            (y, int(rows[0]), int(cols[0]), int(i), int(j)) for i in rows[1:] for j in cols[1:]
        )
    if not moves:  # the polytope is a single point
        return _information_of(start)
    basis = np.zeros((n1 * n2 * ny, len(moves)))
    for k, (y, i0, j0, i, j) in enumerate(moves):
        for a, b, sign in ((i0, j0, 1.0), (i, j, 1.0), (i0, j, -1.0), (i, j0, -1.0)):
            basis[np.ravel_multi_index((a, b, y), table.shape), k] = sign
    support = np.flatnonzero(start.ravel() > 0)
    basis = basis[support]
    q0 = start.ravel()[support]

    def full(theta: FloatArray) -> FloatArray:
        q = np.zeros(table.size)
        q[support] = np.maximum(q0 + basis @ theta, 0.0)
        return q.reshape(table.shape)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        q = full(theta)
        q12 = q.sum(axis=2, keepdims=True)
        value = float(xlogy(q, q).sum() - xlogy(q12, q12).sum())  # -H_q(Y | X1, X2)
        tiny = np.finfo(np.float64).tiny
        grad_q = np.log(np.maximum(q, tiny)) - np.log(np.maximum(q12, tiny))
        return value, grad_q.ravel()[support] @ basis

    def feasible(theta: FloatArray) -> bool:
        raw = q0 + basis @ theta
        return bool(np.isfinite(raw).all() and raw.min() >= -1e-12)

    # The problem is convex, but SLSQP can stop early or leave the polytope (clipping would then
    # break the marginals), depending on the order of the sources: restart it from its own
    # solution, polish with an interior-point solve, and keep the best feasible point.
    candidates = [_information_of(start)]  # the start is feasible: an upper bound of the min
    theta = np.zeros(len(moves))
    for _ in range(4):
        result = minimize(
            objective,
            theta,
            jac=True,
            method="SLSQP",
            constraints=[{"type": "ineq", "fun": lambda t: q0 + basis @ t, "jac": lambda t: basis}],
            options={"ftol": 1e-15, "maxiter": 1000},
        )
        if not feasible(result.x):
            break
        value = _information_of(full(result.x))
        improved = value < min(candidates) - 1e-13
        candidates.append(value)
        theta = result.x
        if not improved:
            break
    with warnings.catch_warnings():  # at an optimum already, its quasi-Newton update says so
        warnings.filterwarnings("ignore", message="delta_grad == 0.0", category=UserWarning)
        result = minimize(
            objective,
            theta,
            jac=True,
            method="trust-constr",
            constraints=[LinearConstraint(basis, -q0, np.inf)],
            options={"gtol": 1e-12, "xtol": 1e-14, "maxiter": 3000},
        )
    if feasible(result.x):
        candidates.append(_information_of(full(result.x)))
    return min(candidates)


def _information_of(q: FloatArray) -> float:
    """I_q(X1, X2; Y) in nats."""
    q12 = q.sum(axis=2)
    qy = q.sum(axis=(0, 1))
    return _entropy_nats(q12) + _entropy_nats(qy) - _entropy_nats(q)
