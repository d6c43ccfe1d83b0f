r"""Disentanglement metrics: MIG, InfoMEC (InfoM / InfoE / InfoC) and total correlation.

=======================  ====================================================================
function                 value
=======================  ====================================================================
``mig``                  ``(1/K) Σ_k [I(z_{j(1)}; v_k) − I(z_{j(2)}; v_k)] / H(v_k)``
``infomec``              InfoM (modularity), InfoC (compactness), InfoE (explicitness)
``total_correlation``    ``Σ_j h(z_j) − h(z)`` (Gaussian closed form or k-NN), nats
=======================  ====================================================================

**MIG** follows disentanglement_lib: each latent is discretised on its own into ``n_bins``
equal-width bins (``np.digitize`` on the histogram edges, bins 1..n_bins) and the MIs are plug-in
estimates in nats, ``H(v_k) = I(v_k; v_k)``. MIG gives 1.0 to one latent that encodes every factor
(its second-best latent is uninformative); InfoM gives that code 0.

**InfoMEC** follows Hsu et al.'s ``infomec.py``: ``NMI_ij = I(s_i; z_j) / H(s_i)`` (plug-in for
discrete latents; for continuous ones the latents are standardised and the MI is infolens's
mixed k-NN estimator with ``k=10``, which is deterministic, where the reference calls scikit-learn's
unseeded ``mutual_info_classif``); inactive latents (zero range, or range below max/20 for
continuous ones) are pruned;
``InfoM = (mean_j max_i NMI_ij / Σ_i NMI_ij − 1/K_s) / (1 − 1/K_s)`` over active latents,
``InfoC = (mean_i max_j NMI_ij / Σ_j NMI_ij − 1/K_a) / (1 − 1/K_a)`` over sources (undefined,
reported as ``None``, for a single active latent), and
``InfoE = mean_i (H_null − CE_i) / H_null`` with ``CE_i`` the training log-loss of an unpenalised
multinomial logistic regression (L-BFGS, 100 iterations, balanced class weights) from one-hot
(discrete) or standardised (continuous) latents. With balanced weights the null model predicts
the uniform distribution, so ``H_null = ln (number of classes)``.

References
----------
.. [1] R. T. Q. Chen, X. Li, R. Grosse, D. Duvenaud, "Isolating sources of disentanglement in
   variational autoencoders", NeurIPS 2018.
.. [2] K. Hsu, W. Dorrell, J. C. R. Whittington, J. Wu, C. Finn, "Disentanglement via latent
   quantization", NeurIPS 2023.

Examples
--------
>>> import numpy as np
>>> s1 = np.array([0, 0, 0, 0, 1, 1, 1, 1]); s2 = np.array([0, 1, 2, 3, 0, 1, 2, 3])
>>> factors = np.stack([s1, s2], axis=1)
>>> float(mig(factors, np.stack([s1, s2, s2 % 2], axis=1)))
0.75
"""

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch
from scipy.optimize import minimize
from scipy.special import log_softmax

import infolens
from infolens._typing import FloatArray
from infolens._validation import check_array, check_categorical, check_choice, check_int
from infolens.exceptions import InvalidInputError
from infolens.metrics._checks import check_finite, check_matrix
from infolens.metrics._moments import (
    MomentAccumulator,
    covariance_from_sums,
    gaussian_total_correlation,
)
from infolens.streaming import Accumulator

__all__ = [
    "MIG",
    "InfoMEC",
    "InfoMECResult",
    "TotalCorrelation",
    "infomec",
    "mig",
    "total_correlation",
]


def _to_numpy(data: Any) -> Any:
    if isinstance(data, torch.Tensor):
        return data.detach().cpu().numpy()
    return data


def _codes(column: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.unique(column, return_inverse=True)[1].reshape(-1)


def _plugin_mi(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    """Plug-in MI (nats) of two integer-coded columns."""
    ca, cb = _codes(a), _codes(b)
    joint = np.zeros((int(ca.max()) + 1, int(cb.max()) + 1))
    np.add.at(joint, (ca, cb), 1.0)
    joint /= joint.sum()
    pa, pb = joint.sum(axis=1), joint.sum(axis=0)
    nz = joint > 0
    return float(max(0.0, np.sum(joint[nz] * np.log(joint[nz] / np.outer(pa, pb)[nz]))))


def _discretize(latents: FloatArray, n_bins: int) -> np.ndarray[Any, Any]:
    """disentanglement_lib's per-dimension histogram discretisation (bins 1..n_bins)."""
    out = np.empty(latents.shape, dtype=np.int64)
    for j in range(latents.shape[1]):
        edges = np.histogram(latents[:, j], n_bins)[1]
        out[:, j] = np.digitize(latents[:, j], edges[:-1])
    return out


def _factor_entropies(factors: np.ndarray[Any, Any], owner: str) -> FloatArray:
    entropies = np.array(
        [_plugin_mi(factors[:, k], factors[:, k]) for k in range(factors.shape[1])]
    )
    constant = np.flatnonzero(entropies <= 0)
    if constant.size:
        raise InvalidInputError(
            f"Input factors of {owner} must vary: factor {int(constant[0])} is constant (zero "
            "entropy), so its normalised information is undefined."
        )
    return entropies


def _check_pair(factors: Any, latents: Any, owner: str) -> tuple[Any, FloatArray]:
    f = check_categorical(_to_numpy(factors), name="factors")
    z = check_array(_to_numpy(latents), name="latents")
    if f.shape[0] != z.shape[0]:
        raise InvalidInputError(
            f"Found input variables with inconsistent numbers of samples in {owner}: "
            f"[{f.shape[0]}, {z.shape[0]}]"
        )
    if f.shape[0] < 2:
        raise InvalidInputError(f"{owner} needs at least 2 samples; got {f.shape[0]}.")
    return f, z


def mig(factors: Any, latents: Any, *, n_bins: int = 20) -> torch.Tensor:
    """Mutual information gap (Chen et al. 2018) as computed in disentanglement_lib.

    Parameters
    ----------
    factors : array-like of shape (n_samples, n_factors)
        Ground-truth factors (discrete).
    latents : array-like or torch.Tensor of shape (n_samples, n_latents)
        The code; at least 2 latents.
    n_bins : int, default=20
        Equal-width bins per latent.

    Returns
    -------
    torch.Tensor
        0-d float64 tensor, dimensionless in ``[0, 1]``.

    Raises
    ------
    InvalidInputError
        If a factor is constant, fewer than 2 latents are given, or the lengths differ.
    """
    owner = "mig"
    n_bins = check_int(n_bins, name="n_bins", owner=owner)
    f, z = _check_pair(factors, latents, owner)
    if z.shape[1] < 2:
        raise InvalidInputError(
            f"{owner} needs at least 2 latents (the gap between the best two); got {z.shape[1]}."
        )
    codes = _discretize(z, n_bins)
    entropies = _factor_entropies(f, owner)
    gaps = []
    for k in range(f.shape[1]):
        mi = np.sort([_plugin_mi(codes[:, j], f[:, k]) for j in range(codes.shape[1])])[::-1]
        gaps.append((mi[0] - mi[1]) / entropies[k])
    return torch.tensor(float(np.mean(gaps)), dtype=torch.float64)


@dataclass(frozen=True, kw_only=True)
class InfoMECResult:
    """InfoM, InfoE, InfoC and the normalised MI matrix of :func:`infomec`.

    Attributes
    ----------
    infom, infoe : float
        Modularity and explicitness, in ``[0, 1]``.
    infoc : float or None
        Compactness in ``[0, 1]``; ``None`` (undefined) when only one latent is active.
    nmi : numpy.ndarray of shape (n_sources, n_active_latents)
        ``I(s_i; z_j) / H(s_i)``.
    active : numpy.ndarray of shape (n_latents,)
        Which latents were kept.
    """

    infom: float
    infoe: float
    infoc: float | None
    nmi: FloatArray
    active: np.ndarray[Any, Any]


def _standardize(z: FloatArray) -> FloatArray:
    scale = z.std(axis=0)
    standardized: FloatArray = (z - z.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    return standardized


def _one_hot(z: np.ndarray[Any, Any]) -> FloatArray:
    blocks = []
    for j in range(z.shape[1]):
        codes = _codes(z[:, j])
        blocks.append(np.eye(int(codes.max()) + 1)[codes])
    return np.concatenate(blocks, axis=1)


def _logistic_log_loss(features: FloatArray, target: np.ndarray[Any, Any]) -> tuple[float, int]:
    """Training log-loss (nats) of unpenalised multinomial LR with balanced class weights."""
    y = _codes(target)
    n, p = features.shape
    n_classes = int(y.max()) + 1
    counts = np.bincount(y, minlength=n_classes)
    weights = (n / (n_classes * counts))[y]
    weights /= weights.sum()
    onehot = np.eye(n_classes)[y]
    design = np.concatenate([features, np.ones((n, 1))], axis=1)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        coef = theta.reshape(p + 1, n_classes)
        logp = log_softmax(design @ coef, axis=1)
        loss = -float(np.sum(weights * np.sum(onehot * logp, axis=1)))
        grad = design.T @ (weights[:, None] * (np.exp(logp) - onehot))
        return loss, grad.reshape(-1)

    result = minimize(
        objective,
        np.zeros((p + 1) * n_classes),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 100, "gtol": 1e-4, "maxls": 50, "ftol": 64 * np.finfo(float).eps},
    )
    logp = log_softmax(design @ result.x.reshape(p + 1, n_classes), axis=1)
    return -float(np.mean(logp[np.arange(n), y])), n_classes


def infomec(
    sources: Any,
    latents: Any,
    *,
    discrete_latents: bool,
    n_neighbors: int = 10,
) -> InfoMECResult:
    """InfoM, InfoE and InfoC (Hsu et al. 2023) of a code against its sources.

    Parameters
    ----------
    sources : array-like of shape (n_samples, n_sources)
        Ground-truth factors (discrete, label-encoded here).
    latents : array-like or torch.Tensor of shape (n_samples, n_latents)
        The code.
    discrete_latents : bool
        Treat the latents as discrete (plug-in MI, one-hot features for InfoE) or continuous
        (standardised, k-NN MI, standardised features).
    n_neighbors : int, default=10
        Neighbours of the k-NN MI for continuous latents.

    Returns
    -------
    InfoMECResult
        The three scores (dimensionless), the NMI matrix and the active-latent mask.

    Examples
    --------
    >>> import numpy as np
    >>> s1 = np.repeat([0, 1], 4); s2 = np.tile([0, 1, 2, 3], 2)
    >>> result = infomec(np.stack([s1, s2], 1), np.stack([s1, 4 * s1 + s2], 1),
    ...                  discrete_latents=True)
    >>> result.infom, result.infoc
    (0.5, 0.5)
    """
    owner = "infomec"
    n_neighbors = check_int(n_neighbors, name="n_neighbors", owner=owner)
    s, z = _check_pair(sources, latents, owner)
    entropies = _factor_entropies(s, owner)
    ranges = z.max(axis=0) - z.min(axis=0)
    active = ranges > 0 if discrete_latents else ranges > ranges.max() / 20
    if not active.any():
        raise InvalidInputError(f"Input latents of {owner} are all constant: no active latent.")
    z_active = z[:, active]
    if discrete_latents:
        nmi = np.array(
            [
                [_plugin_mi(s[:, i], z_active[:, j]) for j in range(z_active.shape[1])]
                for i in range(s.shape[1])
            ]
        )
        features = _one_hot(z_active)
    else:
        features = _standardize(z_active)
        nmi = np.array(
            [
                [
                    max(
                        0.0,
                        infolens.mutual_information(
                            features[:, j], _codes(s[:, i]), method="mixed_knn", k=n_neighbors
                        ).value,
                    )
                    for j in range(features.shape[1])
                ]
                for i in range(s.shape[1])
            ]
        )
    nmi = nmi / entropies[:, None]
    n_sources, n_active = nmi.shape

    def _ratio_mean(matrix: FloatArray) -> float:
        sums = matrix.sum(axis=0)
        ratios = np.where(
            sums > 0, matrix.max(axis=0) / np.where(sums > 0, sums, 1.0), 1.0 / matrix.shape[0]
        )
        return float(ratios.mean())

    infom = (_ratio_mean(nmi) - 1 / n_sources) / (1 - 1 / n_sources) if n_sources > 1 else 1.0
    infoc = (_ratio_mean(nmi.T) - 1 / n_active) / (1 - 1 / n_active) if n_active > 1 else None
    scores = []
    for i in range(n_sources):
        cross_entropy, n_classes = _logistic_log_loss(features, s[:, i])
        null = math.log(n_classes)
        scores.append((null - cross_entropy) / null)
    return InfoMECResult(
        infom=float(infom),
        infoe=float(np.mean(scores)),
        infoc=None if infoc is None else float(infoc),
        nmi=nmi,
        active=active,
    )


Method = Literal["gaussian", "knn"]


def total_correlation(z: torch.Tensor, *, method: Method = "gaussian", k: int = 3) -> torch.Tensor:
    """Total correlation ``TC(z) = Σ_j h(z_j) − h(z)`` of a latent code, in nats.

    Parameters
    ----------
    z : torch.Tensor of shape (n_samples, dim)
        Samples of the code.
    method : {"gaussian", "knn"}, default="gaussian"
        ``"gaussian"``: the closed form ``−½ logdet(corr(z))`` of the sample covariance
        (differentiable, +inf for collinear columns). ``"knn"``: Kozachenko–Leonenko entropies
        (``infolens.entropy(method="kl", k=k)``) of every column and of the joint.
    k : int, default=3
        Neighbours of the k-NN entropies.

    Returns
    -------
    torch.Tensor
        0-d tensor in nats (float64 for ``"knn"``, not differentiable).

    Examples
    --------
    >>> import torch
    >>> z = torch.tensor([[0.0, 0], [1, 1], [2, 1], [3, 3]], dtype=torch.float64)
    >>> round(float(total_correlation(z)), 6)  # -½ ln(1 - ρ²) with ρ² = 81/95
    0.95741
    """
    owner = "total_correlation"
    method = check_choice(method, ("gaussian", "knn"), name="method")  # type: ignore[assignment]
    tensor = check_matrix(z, name="z", owner=owner, min_rows=2)
    check_finite(tensor, name="z", owner=owner)
    if method == "gaussian":
        n = tensor.shape[0]
        return gaussian_total_correlation(
            covariance_from_sums(tensor.sum(0), tensor.T @ tensor, n, owner=owner)
        )
    k = check_int(k, name="k", owner=owner)
    return _knn_total_correlation(tensor, k)


def _knn_total_correlation(z: torch.Tensor, k: int) -> torch.Tensor:
    array = z.detach().cpu().double().numpy()
    marginals = sum(
        infolens.entropy(array[:, j], method="kl", k=k).value for j in range(array.shape[1])
    )
    joint = infolens.entropy(array, method="kl", k=k).value
    return torch.tensor(marginals - joint, dtype=torch.float64)


class MIG(Accumulator):
    """Streaming :func:`mig` over bounded buffers of factors and latents.

    Parameters
    ----------
    n_bins : int, default=20
        Equal-width bins per latent.
    max_samples : int, default=100000
        Buffer capacity (rows).
    validate_args, sync_on_compute : bool, default=True
        See :class:`infolens.streaming.Accumulator`.
    """

    needs_all_samples = True

    def __init__(
        self,
        *,
        n_bins: int = 20,
        max_samples: int = 100_000,
        validate_args: bool = True,
        sync_on_compute: bool = True,
    ) -> None:
        super().__init__(validate_args=validate_args, sync_on_compute=sync_on_compute)
        owner = type(self).__name__
        self.n_bins = check_int(n_bins, name="n_bins", owner=owner)
        capacity = check_int(max_samples, name="max_samples", owner=owner)
        self.add_state("factors", reduce="cat", max_rows=capacity)
        self.add_state("latents", reduce="cat", max_rows=capacity)

    def _update(self, factors: torch.Tensor, latents: torch.Tensor) -> None:
        owner = type(self).__name__
        z = check_matrix(latents, name="latents", owner=owner)
        f = torch.as_tensor(factors)
        f = f[:, None] if f.ndim == 1 else f
        if f.shape[0] != z.shape[0]:
            raise InvalidInputError(
                f"Found input variables with inconsistent numbers of samples in {owner}: "
                f"[{f.shape[0]}, {z.shape[0]}]"
            )
        if self.validate_args:
            check_finite(z, name="latents", owner=owner)
        self._append("factors", f)
        self._append("latents", z)
        self._count_rows(z.shape[0])

    def _compute(self) -> torch.Tensor:
        self._require_samples(2)
        return mig(self._cat("factors"), self._cat("latents"), n_bins=self.n_bins)


class InfoMEC(MIG):
    """Streaming :func:`infomec` over bounded buffers of sources and latents.

    Parameters
    ----------
    discrete_latents : bool
        See :func:`infomec`.
    n_neighbors : int, default=10
        Neighbours of the k-NN MI for continuous latents.
    max_samples : int, default=100000
        Buffer capacity (rows).
    validate_args, sync_on_compute : bool, default=True
        See :class:`infolens.streaming.Accumulator`.
    """

    def __init__(
        self,
        *,
        discrete_latents: bool,
        n_neighbors: int = 10,
        max_samples: int = 100_000,
        validate_args: bool = True,
        sync_on_compute: bool = True,
    ) -> None:
        super().__init__(
            max_samples=max_samples, validate_args=validate_args, sync_on_compute=sync_on_compute
        )
        self.discrete_latents = discrete_latents
        self.n_neighbors = check_int(n_neighbors, name="n_neighbors", owner=type(self).__name__)

    def _compute(self) -> InfoMECResult:  # type: ignore[override]
        self._require_samples(2)
        return infomec(
            self._cat("factors"),
            self._cat("latents"),
            discrete_latents=self.discrete_latents,
            n_neighbors=self.n_neighbors,
        )


class TotalCorrelation(MomentAccumulator):
    """Streaming :func:`total_correlation`.

    ``method="gaussian"`` keeps float64 sums of ``z`` and ``z zᵀ`` (exact streaming);
    ``method="knn"`` keeps a bounded buffer.

    Parameters
    ----------
    dim : int
        Number of latents.
    method : {"gaussian", "knn"}, default="gaussian"
        See :func:`total_correlation`.
    k : int, default=3
        Neighbours of the k-NN entropies.
    max_samples : int, default=100000
        Buffer capacity for ``"knn"``.
    validate_args, sync_on_compute : bool, default=True
        See :class:`infolens.streaming.Accumulator`.
    """

    METHODS = ("gaussian", "knn")

    def __init__(
        self,
        *,
        dim: int,
        method: Method = "gaussian",
        k: int = 3,
        max_samples: int = 100_000,
        validate_args: bool = True,
        sync_on_compute: bool = True,
    ) -> None:
        super().__init__(
            dim=dim,
            method=method,
            k=k,
            max_samples=max_samples,
            validate_args=validate_args,
            sync_on_compute=sync_on_compute,
        )

    def _from_covariance(self, covariance: torch.Tensor) -> torch.Tensor:
        return gaussian_total_correlation(covariance)

    def _from_samples(self, z: torch.Tensor) -> torch.Tensor:
        return _knn_total_correlation(z, self.k)
