"""Local and global disparity in federated learning as a partial information decomposition.

Hamman and Dutta [1]_ measure the unfairness of a model trained across clients S with the
information its prediction Ŷ carries about a sensitive attribute Z:

- **global disparity** ``I(Z; Ŷ)``: dependence of the prediction on Z over the whole population;
- **local disparity** ``I(Z; Ŷ | S)``: the same dependence inside the clients, on average.

A two-source PID with target Z and sources (S, Ŷ) splits both into three atoms:
``I(Z; Ŷ) = Uni + Red`` and ``I(Z; Ŷ | S) = Uni + Syn``, where

- the **unique disparity** ``Uni(Z: Ŷ | S)`` is the information about Z in Ŷ and not in S;
- the **redundant disparity** ``Red(Z: (Ŷ, S))`` is information about Z that the prediction
  shares with the client identity (global, not local);
- the **masked disparity** ``Syn(Z: (Ŷ, S))`` appears only when Ŷ and S are seen together
  (local, not global).
"""

from dataclasses import dataclass

from infolens._typing import ArrayLike
from infolens._units import check_units, convert_fields
from infolens._validation import check_choice
from infolens.discrete._pmf import _pmf_from_arrays
from infolens.discrete.pid import MEASURES, pid


@dataclass(frozen=True, kw_only=True)
class FairnessDecomposition:
    """Disparities of a federated model split into unique, redundant and masked parts.

    Attributes
    ----------
    unique : float
        Unique disparity ``Uni(Z: Ŷ | S)``, in ``units``.
    redundant : float
        Redundant disparity ``Red(Z: (Ŷ, S))``, in ``units``.
    masked : float
        Masked (synergistic) disparity ``Syn(Z: (Ŷ, S))``, in ``units``.
    global_disparity : float
        ``I(Z; Ŷ) = unique + redundant``, in ``units``.
    local_disparity : float
        ``I(Z; Ŷ | S) = unique + masked``, in ``units``.
    units : {"nats", "bits"}
        Units of every field.
    measure : {"broja", "williams_beer"}
        The PID measure used.

    Examples
    --------
    >>> d = FairnessDecomposition(unique=0.0, redundant=1.0, masked=0.0, global_disparity=1.0,
    ...                           local_disparity=0.0, units="bits", measure="broja")
    >>> round(d.to("nats").global_disparity, 6)
    0.693147
    """

    unique: float
    redundant: float
    masked: float
    global_disparity: float
    local_disparity: float
    units: str
    measure: str

    def to(self, units: str) -> "FairnessDecomposition":
        """Return the same decomposition expressed in ``units`` (``"nats"`` or ``"bits"``)."""
        return convert_fields(
            self, units, ("unique", "redundant", "masked", "global_disparity", "local_disparity")
        )


def fairness_decomposition(
    client: ArrayLike,
    sensitive: ArrayLike,
    prediction: ArrayLike,
    *,
    measure: str = "broja",
    units: str = "nats",
) -> FairnessDecomposition:
    """Split the global and local disparity of a federated model into PID atoms.

    The plug-in joint pmf of (S, Ŷ, Z) is decomposed with :func:`~infolens.discrete.pid`,
    target the sensitive attribute Z and sources (client S, prediction Ŷ), as in the FairFL-PID
    code of Hamman and Dutta [1]_. Unique disparity is the unique information of Ŷ, redundant and
    masked disparity are the redundancy and synergy.

    Parameters
    ----------
    client : array-like of shape (n_samples,)
        Client (party) S that holds each record.
    sensitive : array-like of shape (n_samples,)
        Sensitive attribute Z of each record (e.g. a protected group label).
    prediction : array-like of shape (n_samples,)
        The model's prediction Ŷ for each record (discrete labels).
    measure : {"broja", "williams_beer"}, default="broja"
        PID measure; the paper uses BROJA (Bertschinger et al.), see :func:`pid`.
    units : {"nats", "bits"}, default="nats"
        Units of the result; the paper reports bits.

    Returns
    -------
    decomposition : FairnessDecomposition
        Unique, redundant and masked disparity, with ``global_disparity = unique + redundant``
        (= I(Z; Ŷ)) and ``local_disparity = unique + masked`` (= I(Z; Ŷ | S)).

    Raises
    ------
    ValueError
        If the three arrays differ in length, are empty or hold NaN, or ``measure`` or ``units``
        is unknown.
    TypeError
        If an array holds values that are not categories.
    RuntimeError
        If the PID atoms are inconsistent (see :func:`pid`).

    Notes
    -----
    The identities hold for any PID measure: ``I(Z; Ŷ) = Red + Uni(Ŷ)`` and
    ``I(Z; Ŷ | S) = I(Z; S, Ŷ) - I(Z; S) = Uni(Ŷ) + Syn``. The estimate is the plug-in (not
    bias-corrected) value: with few records per (S, Z, Ŷ) cell it is biased upwards. BROJA atoms
    are accurate to about 1e-8 nats.

    References
    ----------
    .. [1] F. Hamman and S. Dutta, "Demystifying local and global fairness trade-offs in
       federated learning using partial information decomposition", ICLR 2024.

    Examples
    --------
    Every client favours a different group, so the prediction looks fair globally:

    >>> client = [0, 0, 0, 0, 1, 1, 1, 1]
    >>> sensitive = [0, 0, 1, 1, 0, 0, 1, 1]
    >>> prediction = [0, 0, 1, 1, 1, 1, 0, 0]  # Ŷ = Z xor S
    >>> d = fairness_decomposition(client, sensitive, prediction, units="bits")
    >>> round(d.global_disparity, 6), round(d.local_disparity, 6), round(d.masked, 6)
    (0.0, 1.0, 1.0)
    """
    measure = check_choice(measure, MEASURES, name="measure")
    units = check_units(units)
    table = _pmf_from_arrays([client, prediction, sensitive], ["client", "prediction", "sensitive"])
    atoms = pid(table, measure=measure, units=units)  # sources (S, Ŷ), target Z
    return FairnessDecomposition(
        unique=atoms.unique_2,
        redundant=atoms.redundancy,
        masked=atoms.synergy,
        global_disparity=atoms.unique_2 + atoms.redundancy,
        local_disparity=atoms.unique_2 + atoms.synergy,
        units=units,
        measure=measure,
    )
