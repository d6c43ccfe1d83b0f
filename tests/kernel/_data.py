"""Shared §3 test data of the measures spec (n = 6)."""

import numpy as np

X = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [2, 0], [0, 2]], dtype=float)
Y = np.array([[0], [1], [1], [2], [2], [2]], dtype=float)
