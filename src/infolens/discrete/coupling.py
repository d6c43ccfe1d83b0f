"""Minimum-entropy coupling (MEC): a joint with given marginals and small joint entropy.

Finding the coupling of minimum entropy is NP-hard. :func:`greedy_coupling` is the greedy of
Kocaoglu et al. [1]_ and :func:`coupling_lower_bound` the majorisation bound of Cicalese,
Gargano and Vaccaro [2]_, which every coupling respects: ``H(M) >= H(p ∧ q) >= max(H(p), H(q))``.

References
----------
.. [1] M. Kocaoglu, A. G. Dimakis, S. Vishwanath and B. Hassibi, "Entropic causal inference",
   AAAI 2017, Algorithm 1.
.. [2] F. Cicalese, L. Gargano and U. Vaccaro, "Minimum-entropy couplings and their
   applications", IEEE Trans. Inf. Theory 65(6), 2019.
"""

import numpy as np

from infolens._typing import ArrayLike, FloatArray
from infolens._units import check_units, from_nats
from infolens.discrete._pmf import check_marginal
from infolens.discrete.measures import _entropy_nats
from infolens.exceptions import InvalidInputError

#: Remaining masses closer than this to the largest one count as tied (lowest index wins).
TIE_TOLERANCE = 1e-12


def _check_marginals(marginals: tuple[ArrayLike, ...], owner: str) -> list[FloatArray]:
    if len(marginals) < 2:
        raise InvalidInputError(f"{owner} needs at least 2 marginals; got {len(marginals)}.")
    return [check_marginal(m, name=f"marginals[{i}]") for i, m in enumerate(marginals)]


def greedy_coupling(*marginals: ArrayLike) -> FloatArray:
    """Return the greedy minimum-entropy coupling of two or more marginals.

    While mass remains, the largest remaining atom of every marginal is taken, the smallest of
    these masses ``m`` is placed in the joint cell they index, and ``m`` is subtracted from each.
    Ties (within 1e-12) go to the lowest index.

    Parameters
    ----------
    *marginals : array-like of shape (n_i,)
        Two or more pmfs, each summing to 1 (within 1e-9; each is rescaled to sum to 1).

    Returns
    -------
    coupling : ndarray of float64 of shape (n_0, n_1, ...)
        A joint pmf whose marginal on axis i is ``marginals[i]``. Its entropy (e.g.
        ``infolens.discrete.entropy(coupling, units="bits")``) is within log2(e)/e ≈ 0.53 bits
        of the minimum for two marginals (Compton et al., AISTATS 2023).

    Raises
    ------
    ValueError
        If fewer than two marginals are given or one is not a valid 1-D pmf.

    Examples
    --------
    >>> greedy_coupling([0.6, 0.2, 0.2], [0.5, 0.5]).round(12).tolist()
    [[0.5, 0.1], [0.0, 0.2], [0.0, 0.2]]
    """
    pmfs = _check_marginals(marginals, "greedy_coupling")
    remaining = [p / p.sum() for p in pmfs]
    coupling = np.zeros(tuple(p.size for p in remaining))
    for _ in range(sum(p.size for p in remaining)):  # each step empties at least one atom
        index = tuple(int(np.flatnonzero(r >= r.max() - TIE_TOLERANCE)[0]) for r in remaining)
        mass = min(float(r[i]) for r, i in zip(remaining, index, strict=True))
        if mass <= 0:
            break
        coupling[index] += mass
        for r, i in zip(remaining, index, strict=True):
            r[i] = max(float(r[i]) - mass, 0.0)
    return coupling


def majorization_meet(*marginals: ArrayLike) -> FloatArray:
    """Return the majorisation meet p ∧ q ∧ ... of two or more pmfs.

    Each pmf is sorted in decreasing order and zero-padded to a common length; the meet is the
    pmf whose partial sums are the pointwise minimum of the partial sums of the inputs.

    Parameters
    ----------
    *marginals : array-like of shape (n_i,)
        Two or more pmfs.

    Returns
    -------
    meet : ndarray of float64 of shape (max n_i,)
        The meet, in decreasing order.

    Examples
    --------
    >>> majorization_meet([0.6, 0.2, 0.2], [0.5, 0.5]).round(12).tolist()
    [0.5, 0.3, 0.2]
    """
    pmfs = _check_marginals(marginals, "majorization_meet")
    length = max(p.size for p in pmfs)
    sums = [np.cumsum(np.pad(np.sort(p / p.sum())[::-1], (0, length - p.size))) for p in pmfs]
    partial = np.minimum.reduce(sums)
    return np.asarray(np.maximum(np.diff(partial, prepend=0.0), 0.0), dtype=np.float64)


def coupling_lower_bound(*marginals: ArrayLike, units: str = "nats") -> float:
    """Return H(p ∧ q ∧ ...), a lower bound on the entropy of every coupling of the marginals.

    The bound is the entropy of the :func:`majorization_meet`; it is at least the largest
    marginal entropy, and can be strictly larger.

    Parameters
    ----------
    *marginals : array-like of shape (n_i,)
        Two or more pmfs.
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    bound : float
        The lower bound in ``units``.

    Examples
    --------
    >>> round(coupling_lower_bound([0.6, 0.2, 0.2], [0.5, 0.5], units="bits"), 10)
    1.4854752972
    """
    units = check_units(units)
    return from_nats(_entropy_nats(majorization_meet(*marginals)), units)
