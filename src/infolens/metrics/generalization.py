r"""Per-layer train/test representation shift (the practical proxy of He & Goldfeld's bounds).

He & Goldfeld (2024) bound the generalisation gap by per-layer KL and Wasserstein-1 terms that
involve the distribution over the *weights*, which one trained network does not give. What can be
measured for one network is how far the empirical distribution of a layer's representations on
held-out data is from that on the training data. These are labelled **"train/test representation
shift"**, not generalisation bounds.

=========================  ======================================================================
function                   value
=========================  ======================================================================
``representation_shift``   ``method="kl"``: k-NN estimate of ``KL(P_train ‖ P_test)`` (nats)
                           ``method="wasserstein"``: W1 (exact in 1-D; sliced W1 in d > 1)
``layer_information_gap``  both, for every layer of two ``{name: activations}`` mappings
=========================  ======================================================================

The KL estimator is that of Wang, Kulkarni & Verdú (2009):
``(d/n) Σ_i log(ν_k(i) / ρ_k(i)) + log(m / (n − 1))`` with ``ρ_k(i)`` the Euclidean distance from
train sample ``i`` to its k-th neighbour among the other train samples and ``ν_k(i)`` to its k-th
neighbour among the ``m`` test samples. It needs distinct points: repeated rows (e.g. dead ReLU
units making whole rows zero) raise an error rather than give an infinite value. Sliced W1 averages
the exact 1-D W1 over ``n_projections`` random directions drawn from ``rng``; for a mean shift
``μ`` in 2-D it equals ``2‖μ‖/π``.

References
----------
.. [1] H. He, Z. Goldfeld, "Information-theoretic generalization bounds for deep neural
   networks", arXiv:2404.03176 (2024).
.. [2] Q. Wang, S. R. Kulkarni, S. Verdú, "Divergence estimation for multidimensional densities
   via k-nearest-neighbor distances", IEEE Trans. Inf. Theory 55 (2009).
"""

import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import torch
from scipy.spatial import cKDTree
from scipy.stats import wasserstein_distance

from infolens._typing import FloatArray, RNGLike
from infolens._validation import check_array, check_choice, check_int, check_rng
from infolens.exceptions import InsufficientSamplesError, InvalidInputError
from infolens.metrics._checks import check_matrix
from infolens.streaming import Accumulator

__all__ = ["RepresentationShift", "layer_information_gap", "representation_shift"]

Method = Literal["kl", "wasserstein"]


def _as_array(data: Any, name: str) -> FloatArray:
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().double().numpy()
        if data.ndim > 2:
            data = data.reshape(data.shape[0], -1)
    return check_array(data, name=name)


def _knn_kl(p: FloatArray, q: FloatArray, k: int, owner: str) -> float:
    n, d = p.shape
    m = q.shape[0]
    if n < k + 1 or m < k:
        raise InsufficientSamplesError(
            f"{owner} with method='kl' needs at least k + 1 = {k + 1} train and k = {k} test "
            f"samples; got {n} and {m}."
        )
    rho = cKDTree(p).query(p, k=k + 1)[0][:, k]
    nu = cKDTree(q).query(p, k=k)[0]
    nu = nu[:, k - 1] if k > 1 else nu
    if np.any(rho <= 0) or np.any(nu <= 0):
        raise InvalidInputError(
            f"{owner} with method='kl' needs distinct samples: some train rows coincide with "
            f"their k-th neighbour ({int(np.sum(rho <= 0))} within train, "
            f"{int(np.sum(nu <= 0))} with test), so the k-NN divergence is infinite. Add "
            "jitter, raise k, or use method='wasserstein'."
        )
    return float(d * np.mean(np.log(nu / rho)) + math.log(m / (n - 1)))


def _sliced_w1(p: FloatArray, q: FloatArray, n_projections: int, rng: RNGLike) -> float:
    if p.shape[1] == 1:
        return float(wasserstein_distance(p[:, 0], q[:, 0]))
    generator = check_rng(rng)
    directions = generator.standard_normal((n_projections, p.shape[1]))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    pp, qq = p @ directions.T, q @ directions.T
    return float(np.mean([wasserstein_distance(pp[:, j], qq[:, j]) for j in range(n_projections)]))


def representation_shift(
    train: Any,
    test: Any,
    *,
    method: Method = "kl",
    k: int = 1,
    n_projections: int = 128,
    rng: RNGLike = None,
) -> torch.Tensor:
    """Distance between the train and test distributions of one layer's representations.

    Parameters
    ----------
    train, test : torch.Tensor or array-like of shape (n, dim) and (m, dim)
        Activations of the same layer (extra dimensions are flattened).
    method : {"kl", "wasserstein"}, default="kl"
        k-NN ``KL(P_train ‖ P_test)`` in nats, or (sliced) Wasserstein-1 in activation units.
    k : int, default=1
        Neighbour order of the KL estimator.
    n_projections : int, default=128
        Random directions of the sliced W1 (ignored in 1-D, where W1 is exact).
    rng : int, numpy.random.Generator or None, default=None
        Randomness of the projections.

    Returns
    -------
    torch.Tensor
        0-d float64 tensor (not differentiable).

    Examples
    --------
    >>> import numpy as np
    >>> train = np.array([0.0, 1, 2, 3]); test = train + 0.5
    >>> float(representation_shift(train, test, method="wasserstein"))
    0.5
    """
    owner = "representation_shift"
    method = check_choice(method, ("kl", "wasserstein"), name="method")  # type: ignore[assignment]
    p = _as_array(train, "train")
    q = _as_array(test, "test")
    if p.shape[1] != q.shape[1]:
        raise InvalidInputError(
            f"Inputs train and test of {owner} must have the same number of features; got "
            f"{p.shape[1]} and {q.shape[1]}."
        )
    if method == "kl":
        value = _knn_kl(p, q, check_int(k, name="k", owner=owner), owner)
    else:
        value = _sliced_w1(p, q, check_int(n_projections, name="n_projections", owner=owner), rng)
    return torch.tensor(value, dtype=torch.float64)


def layer_information_gap(
    train: Mapping[str, Any],
    test: Mapping[str, Any],
    *,
    k: int = 1,
    n_projections: int = 128,
    rng: RNGLike = None,
) -> dict[str, dict[str, float]]:
    """Train/test representation shift (k-NN KL and W1) of every layer.

    Parameters
    ----------
    train, test : mapping of str to torch.Tensor
        Activations per layer name (the same names in both).
    k, n_projections, rng
        See :func:`representation_shift`; one Generator is shared, so the result is reproducible.

    Returns
    -------
    dict
        ``{layer: {"kl": nats, "wasserstein": activation units}}``.
    """
    if set(train) != set(test):
        raise InvalidInputError(
            "layer_information_gap needs the same layers in train and test; got "
            f"{sorted(train)} and {sorted(test)}."
        )
    generator = check_rng(rng)
    return {
        name: {
            "kl": float(representation_shift(train[name], test[name], method="kl", k=k)),
            "wasserstein": float(
                representation_shift(
                    train[name],
                    test[name],
                    method="wasserstein",
                    n_projections=n_projections,
                    rng=generator,
                )
            ),
        }
        for name in train
    }


class RepresentationShift(Accumulator):
    """Streaming :func:`representation_shift` with bounded train and test buffers.

    ``update(x, split="train")`` or ``update(x, split="test")``.

    Parameters
    ----------
    method : {"kl", "wasserstein"}, default="kl"
        See :func:`representation_shift`.
    k, n_projections
        See :func:`representation_shift`.
    max_samples : int, default=20000
        Capacity of each buffer.
    validate_args, sync_on_compute : bool, default=True
        See :class:`infolens.streaming.Accumulator`.

    Notes
    -----
    ``compute(rng=None)`` accepts the randomness of the sliced W1 projections.
    """

    needs_all_samples = True

    def __init__(
        self,
        *,
        method: Method = "kl",
        k: int = 1,
        n_projections: int = 128,
        max_samples: int = 20_000,
        validate_args: bool = True,
        sync_on_compute: bool = True,
    ) -> None:
        super().__init__(validate_args=validate_args, sync_on_compute=sync_on_compute)
        owner = type(self).__name__
        self.method = check_choice(method, ("kl", "wasserstein"), name="method")
        self.k = check_int(k, name="k", owner=owner)
        self.n_projections = check_int(n_projections, name="n_projections", owner=owner)
        capacity = check_int(max_samples, name="max_samples", owner=owner)
        self.add_state("train", reduce="cat", max_rows=capacity)
        self.add_state("test", reduce="cat", max_rows=capacity)
        self._rng: RNGLike = None

    def _update(self, x: torch.Tensor, *, split: str) -> None:
        owner = type(self).__name__
        split = check_choice(split, ("train", "test"), name="split")
        tensor = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
        if tensor.ndim > 2:
            tensor = tensor.reshape(tensor.shape[0], -1)
        tensor = check_matrix(tensor, name="x", owner=owner)
        if self.validate_args and not bool(torch.isfinite(tensor).all()):
            raise InvalidInputError(f"Input x of {owner} contains NaN or infinity.")
        self._append(split, tensor.detach())
        self._count_rows(tensor.shape[0])

    def compute(self, rng: RNGLike = None) -> torch.Tensor:
        """Return the shift over every batch since the last reset (``rng``: projections)."""
        self._rng = rng
        result: torch.Tensor = super().compute()
        return result

    def _compute(self) -> torch.Tensor:
        if not self.train or not self.test:
            raise InsufficientSamplesError(
                f"{type(self).__name__}.compute() needs both train and test batches."
            )
        return representation_shift(
            self._cat("train"),
            self._cat("test"),
            method=self.method,  # type: ignore[arg-type]
            k=self.k,
            n_projections=self.n_projections,
            rng=self._rng,
        )
