"""Type aliases shared across infolens. Imports nothing from the package."""

from typing import Any, Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

#: Anything convertible to an array of samples: numpy arrays, lists, pandas objects, torch tensors.
ArrayLike: TypeAlias = Any
#: A seed, a generator, or ``None`` (fresh entropy), normalised by :func:`numpy.random.default_rng`.
RNGLike: TypeAlias = int | np.random.Generator | None
#: What an ``Estimate`` measures (the last two: kernel divergences and HSIC-type dependence).
Quantity: TypeAlias = Literal[
    "entropy",
    "mutual_information",
    "conditional_mutual_information",
    "divergence",
    "dependence",
]
#: Units of information accepted at the public boundary.
Units: TypeAlias = Literal["nats", "bits"]
#: A two-dimensional float64 sample matrix of shape ``(n_samples, dim)``.
FloatArray: TypeAlias = NDArray[np.float64]
#: Integer codes, one per sample.
IntArray: TypeAlias = NDArray[np.intp]
