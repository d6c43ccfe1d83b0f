"""Joint pmfs over (X1, X2, Y) of the spec's logic gates and PID examples (measures.md §1)."""

import numpy as np
from numpy.typing import NDArray


def from_outcomes(
    outcomes: list[tuple[int, int, int]], probs: list[float] | None = None
) -> NDArray[np.float64]:
    shape = tuple(max(o[k] for o in outcomes) + 1 for k in range(3))
    weights = probs if probs is not None else [1 / len(outcomes)] * len(outcomes)
    p = np.zeros(shape)
    for outcome, w in zip(outcomes, weights, strict=True):
        p[outcome] += w
    return p


XOR = from_outcomes([(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)])
AND = from_outcomes([(0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 1, 1)])
COPY = from_outcomes([(0, 0, 0), (0, 1, 1), (1, 0, 2), (1, 1, 3)])
RDN = from_outcomes([(0, 0, 0), (1, 1, 1)])
UNIQUE_2 = from_outcomes([(0, 0, 0), (0, 1, 1), (1, 0, 0), (1, 1, 1)])  # dit 'unique 1': Y = X2
SUM = from_outcomes([(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 2)])
REDUCED_OR = from_outcomes([(0, 0, 0), (0, 1, 1), (1, 0, 1)], [0.5, 0.25, 0.25])
DIFF = from_outcomes([(0, 0, 0), (0, 0, 1), (0, 1, 0), (1, 0, 1)])
RAND = from_outcomes(
    [(0, 0, 0), (0, 1, 0), (0, 1, 1), (1, 0, 0), (1, 0, 1), (1, 1, 1)],
    [0.25, 0.125, 0.125, 0.125, 0.125, 0.25],
)
