"""Local versus global fairness of a federated classifier, decomposed with PID.

Four clients hold records with a binary sensitive attribute Z at different rates, and a biased
binary classifier predicts Ŷ. Following Hamman and Dutta (ICLR 2024), the global disparity
I(Z; Ŷ) and the local disparity I(Z; Ŷ | S) (S = client) are split into unique, redundant and
masked disparity with :func:`infolens.discrete.fairness_decomposition`.

Three scenarios, built from exact record counts so the plug-in pmf is the intended one:

- ``opposite-bias``: clients 0 and 1 favour Z = 1, clients 2 and 3 favour Z = 0 by the same
  amount. The biases cancel over the federation: globally fair, locally unfair (masked).
- ``client-rate``: the acceptance rate depends on the client only, and the clients differ in their
  share of Z = 1. Locally fair, globally unfair (redundant).
- ``same-bias``: every client favours Z = 1: unfair both ways (mostly unique).

Run it with ``python examples/federated_fairness_pid.py``.
"""

import sys

import numpy as np
from numpy.typing import NDArray

from infolens.discrete import FairnessDecomposition, fairness_decomposition

#: Records per client.
N_PER_CLIENT = 1000
#: Share of Z = 1 among the records of each client.
SENSITIVE_RATES = (0.2, 0.4, 0.2, 0.4)

IntArray = NDArray[np.int64]


def make_federation(
    accept: list[tuple[float, float]],
    rates: tuple[float, ...] = SENSITIVE_RATES,
    n_per_client: int = N_PER_CLIENT,
) -> tuple[IntArray, IntArray, IntArray]:
    """Return (client, sensitive, prediction) records with exact counts.

    Parameters
    ----------
    accept : list of (float, float)
        For each client, P(Ŷ = 1 | Z = 0) and P(Ŷ = 1 | Z = 1).
    rates : tuple of float, default=SENSITIVE_RATES
        For each client, the share of records with Z = 1.
    n_per_client : int, default=N_PER_CLIENT
        Records per client.

    Returns
    -------
    client, sensitive, prediction : ndarray of int64, shape (n_clients * n_per_client,)
        The client index S, the sensitive attribute Z and the prediction Ŷ of each record.
    """
    clients: list[int] = []
    sensitive: list[int] = []
    prediction: list[int] = []
    for k, (rate, accept_by_z) in enumerate(zip(rates, accept, strict=True)):
        n_group = {1: round(n_per_client * rate)}
        n_group[0] = n_per_client - n_group[1]
        for z in (0, 1):
            n_positive = round(n_group[z] * accept_by_z[z])
            clients += [k] * n_group[z]
            sensitive += [z] * n_group[z]
            prediction += [1] * n_positive + [0] * (n_group[z] - n_positive)
    return (
        np.asarray(clients, dtype=np.int64),
        np.asarray(sensitive, dtype=np.int64),
        np.asarray(prediction, dtype=np.int64),
    )


SCENARIOS: dict[str, list[tuple[float, float]]] = {
    "opposite-bias": [(0.3, 0.7), (0.3, 0.7), (0.7, 0.3), (0.7, 0.3)],
    "client-rate": [(0.2, 0.2), (0.4, 0.4), (0.6, 0.6), (0.8, 0.8)],
    "same-bias": [(0.3, 0.7), (0.3, 0.7), (0.3, 0.7), (0.3, 0.7)],
}
#: Z = 1 rates per scenario: "client-rate" needs clients that differ in Z and in acceptance.
RATES: dict[str, tuple[float, ...]] = {"client-rate": (0.1, 0.3, 0.7, 0.9)}


def main() -> dict[str, FairnessDecomposition]:
    """Decompose the three scenarios, print a table and return the results.

    Returns
    -------
    results : dict of str to FairnessDecomposition
        The decomposition (in bits, BROJA) of each scenario, by name.
    """
    results: dict[str, FairnessDecomposition] = {}
    header = (
        f"{'scenario':<15}{'global I(Z;Ŷ)':>15}{'local I(Z;Ŷ|S)':>17}"
        f"{'unique':>10}{'redundant':>11}{'masked':>10}\n"
    )
    sys.stdout.write("Disparities in bits (BROJA PID, target Z, sources S and Ŷ)\n")
    sys.stdout.write(header)
    sys.stdout.write("-" * (len(header) - 1) + "\n")
    for name, accept in SCENARIOS.items():
        client, sensitive, prediction = make_federation(
            accept, rates=RATES.get(name, SENSITIVE_RATES)
        )
        d = fairness_decomposition(client, sensitive, prediction, measure="broja", units="bits")
        results[name] = d
        sys.stdout.write(
            f"{name:<15}{d.global_disparity:>15.4f}{d.local_disparity:>17.4f}"
            f"{d.unique:>10.4f}{d.redundant:>11.4f}{d.masked:>10.4f}\n"
        )
    return results


if __name__ == "__main__":
    main()
