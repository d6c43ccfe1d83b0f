"""Synthetic data with known information, shared by the tests."""

import numpy as np

from infolens._typing import FloatArray

#: Exact MI (nats) of an integer-rounded standard bivariate normal with rho = 0.8, from
#: ../shared/specs/measures.md, Corrections item 7 (independent numerical integration).
ROUNDED_NORMAL_MI = 0.394164542171


def correlated_gaussian(
    n: int, dim: int, rho: float, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray, float]:
    """X, Y in R^dim with corr(X_i, Y_i) = rho, independent pairs; truth -dim/2 ln(1 - rho^2)."""
    x = rng.standard_normal((n, dim))
    y = rho * x + np.sqrt(1 - rho**2) * rng.standard_normal((n, dim))
    return x, y, -dim / 2 * np.log(1 - rho**2)


def rounded_normal(n: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    """Integer-rounded bivariate normal, rho = 0.8 (float arrays with many ties)."""
    xy = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.8], [0.8, 1.0]], size=n)
    rounded = np.round(xy)
    return rounded[:, 0], rounded[:, 1]


#: Python source that makes ``import torch`` fail, as on a machine without the torch extra.
#: (Setting ``sys.modules['torch'] = None`` is not enough: scipy then finds a bogus module.)
HIDE_TORCH = (
    "import sys, importlib.abc\n"
    "class _NoTorch(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path, target=None):\n"
    "        if name == 'torch' or name.startswith('torch.'):\n"
    "            raise ImportError('No module named torch (hidden by the test)')\n"
    "sys.meta_path.insert(0, _NoTorch())\n"
)
