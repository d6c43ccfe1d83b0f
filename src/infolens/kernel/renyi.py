"""Matrix-based Rényi alpha-entropy, joint entropy and mutual information (Gram eigenvalues)."""

import math

import numpy as np

from infolens._typing import ArrayLike, FloatArray, Quantity
from infolens._units import from_nats
from infolens._validation import check_array, check_consistent_length, check_positive_real
from infolens.estimators._base import Estimate
from infolens.kernel._gram import _gram, check_dense_size, resolve_sigma

_METHOD = "matrix_renyi"


def _alpha_entropy(a: FloatArray, alpha: float) -> float:
    """S_alpha of the trace-normalised PSD matrix ``a / tr(a)``, in nats.

    Eigenvalues <= 0 (round-off of a PSD matrix) are discarded and the rest renormalised to sum
    to one, as in the REPITL reference. ``alpha == 1`` is the von Neumann entropy.
    """
    eigenvalues = np.linalg.eigvalsh(a / np.trace(a))
    eigenvalues = eigenvalues[eigenvalues > 0]
    eigenvalues /= eigenvalues.sum()
    if alpha == 1.0:
        return float(-(eigenvalues * np.log(eigenvalues)).sum())
    return float(math.log(float((eigenvalues**alpha).sum())) / (1.0 - alpha))


def _check_alpha(alpha: object, owner: str) -> float:
    return check_positive_real(alpha, name="alpha", owner=owner)


def _result(value: float, n: int, quantity: Quantity, units: str, **kwargs: object) -> Estimate:
    params = {k: v for k, v in kwargs.items() if k in {"alpha", "sigma", "sigma_x", "sigma_y"}}
    details = {k: v for k, v in kwargs.items() if k not in params}
    return Estimate(
        value=value,
        units="nats",
        n_samples=n,
        method=_METHOD,
        quantity=quantity,
        params=params,
        details=details,
    ).to(units)


def matrix_renyi_entropy(
    x: ArrayLike, *, alpha: float = 2.0, sigma: float | None = None, units: str = "nats"
) -> Estimate:
    r"""Matrix-based Rényi alpha-entropy of a sample (Sanchez Giraldo, Rao and Principe).

    ``S_alpha(A) = log(sum_i lambda_i(A)^alpha) / (1 - alpha)`` with ``A = K / tr(K)`` and ``K``
    the Gaussian Gram matrix of ``x``; at ``alpha = 1`` the von Neumann entropy
    ``-sum_i lambda_i log lambda_i`` (the limit, computed directly).

    Parameters
    ----------
    x : array-like of shape (n_samples,) or (n_samples, n_features)
        The sample, at most ``MAX_DENSE_SAMPLES`` (5,000) rows.
    alpha : float, default=2.0
        Order of the entropy, a positive finite float; ``1.0`` gives von Neumann.
    sigma : float or None, default=None
        Width of ``exp(-||x_i - x_j||^2 / (2 sigma^2))``; ``None`` uses
        :func:`~infolens.kernel.median_heuristic` (median pairwise Euclidean distance).
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    Estimate
        The entropy in ``units`` (``quantity="entropy"``), between 0 and ``log n``;
        ``params`` records ``alpha`` and the ``sigma`` used.

    Raises
    ------
    ValueError
        On invalid data or parameters, or more than 5,000 samples.

    Notes
    -----
    Needs every eigenvalue of an n x n matrix: O(n^2) memory and O(n^3) time (about a second at
    n = 2,000), hence the hard limit of 5,000 samples. Eigenvalues <= 0 from round-off are
    discarded and the rest renormalised. For ``alpha < 1`` tiny positive round-off eigenvalues
    carry weight ``lambda^alpha``, so values for small ``alpha`` are less accurate.

    References
    ----------
    .. [1] L. G. Sanchez Giraldo, M. Rao and J. C. Principe, "Measures of entropy from data using
       infinitely divisible kernels", IEEE Trans. Inf. Theory 61(1), 2015.

    Examples
    --------
    >>> round(matrix_renyi_entropy([0.0, 1.0, 2.0], sigma=1.0).value, 6)
    0.691338
    """
    owner = "matrix_renyi_entropy"
    xa = check_array(x, name="x")
    order = _check_alpha(alpha, owner)
    n = xa.shape[0]
    check_dense_size(n, owner=owner)
    width = resolve_sigma(sigma, xa, param="sigma", data="x", owner=owner)
    value = _alpha_entropy(_gram(xa, xa, width), order)
    return _result(value, n, "entropy", units, alpha=order, sigma=width)


def _pair(
    x: ArrayLike, y: ArrayLike, alpha: object, sigma_x: object, sigma_y: object, owner: str
) -> tuple[FloatArray, FloatArray, float, float, float, int]:
    xa = check_array(x, name="x")
    ya = check_array(y, name="y")
    n = check_consistent_length([xa, ya])
    order = _check_alpha(alpha, owner)
    check_dense_size(n, owner=owner)
    wx = resolve_sigma(sigma_x, xa, param="sigma_x", data="x", owner=owner)
    wy = resolve_sigma(sigma_y, ya, param="sigma_y", data="y", owner=owner)
    return _gram(xa, xa, wx), _gram(ya, ya, wy), order, wx, wy, n


def matrix_renyi_joint_entropy(
    x: ArrayLike,
    y: ArrayLike,
    *,
    alpha: float = 2.0,
    sigma_x: float | None = None,
    sigma_y: float | None = None,
    units: str = "nats",
) -> Estimate:
    """Matrix-based Rényi alpha joint entropy ``S_alpha(A o B / tr(A o B))`` (Hadamard product).

    Parameters
    ----------
    x, y : array-like of shape (n_samples,) or (n_samples, n_features)
        Paired samples (same number of rows, at most 5,000).
    alpha : float, default=2.0
        Order, a positive finite float; ``1.0`` gives von Neumann.
    sigma_x, sigma_y : float or None, default=None
        Kernel widths of x and y (``None``: the median heuristic of each).
    units : {"nats", "bits"}, default="nats"
        Units of the result.

    Returns
    -------
    Estimate
        The joint entropy in ``units`` (``quantity="entropy"``).

    Raises
    ------
    ValueError
        On invalid data or parameters, or more than 5,000 samples.

    References
    ----------
    .. [1] S. Yu, L. G. Sanchez Giraldo, R. Jenssen and J. C. Principe, "Multivariate extension of
       matrix-based Rényi's alpha-order entropy functional", IEEE TPAMI 42(11), 2020.

    Examples
    --------
    >>> round(matrix_renyi_joint_entropy([0, 1, 2], [0, 1, 1], sigma_x=1, sigma_y=1).value, 6)
    0.805966
    """
    kx, ky, order, wx, wy, n = _pair(x, y, alpha, sigma_x, sigma_y, "matrix_renyi_joint_entropy")
    value = _alpha_entropy(kx * ky, order)
    return _result(value, n, "entropy", units, alpha=order, sigma_x=wx, sigma_y=wy)


def matrix_renyi_mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    *,
    alpha: float = 2.0,
    sigma_x: float | None = None,
    sigma_y: float | None = None,
    units: str = "nats",
) -> Estimate:
    """Matrix-based Rényi alpha mutual information ``S(A) + S(B) - S(A, B)``.

    ``A`` and ``B`` are the trace-normalised Gaussian Gram matrices of x and y, and the joint
    entropy uses their normalised Hadamard product. Symmetric in x and y, and in theory
    ``0 <= I <= min(S(A), S(B))``.

    Parameters
    ----------
    x, y : array-like of shape (n_samples,) or (n_samples, n_features)
        Paired samples (same number of rows, at most 5,000).
    alpha : float, default=2.0
        Order, a positive finite float; ``1.0`` gives the von Neumann form.
    sigma_x, sigma_y : float or None, default=None
        Kernel widths of x and y (``None``: the median heuristic of each).
    units : {"nats", "bits"}, default="nats"
        Units of the result and of the entropies in ``details``.

    Returns
    -------
    Estimate
        The mutual information in ``units`` (``quantity="mutual_information"``);
        ``details`` holds ``entropy_x``, ``entropy_y`` and ``joint_entropy`` in ``units``.

    Raises
    ------
    ValueError
        On invalid data or parameters, or more than 5,000 samples (O(n^2) memory, O(n^3) time).

    References
    ----------
    .. [1] L. G. Sanchez Giraldo, M. Rao and J. C. Principe, "Measures of entropy from data using
       infinitely divisible kernels", IEEE Trans. Inf. Theory 61(1), 2015.
    .. [2] S. Yu, L. G. Sanchez Giraldo, R. Jenssen and J. C. Principe, "Multivariate extension of
       matrix-based Rényi's alpha-order entropy functional", IEEE TPAMI 42(11), 2020.

    Examples
    --------
    >>> x = [[0, 0], [1, 0], [0, 1], [1, 1], [2, 0], [0, 2]]
    >>> y = [0, 1, 1, 2, 2, 2]
    >>> est = matrix_renyi_mutual_information(x, y, alpha=2.0, sigma_x=1.0, sigma_y=1.0)
    >>> round(est.value, 10)
    0.2716573428
    """
    owner = "matrix_renyi_mutual_information"
    kx, ky, order, wx, wy, n = _pair(x, y, alpha, sigma_x, sigma_y, owner)
    hx, hy = _alpha_entropy(kx, order), _alpha_entropy(ky, order)
    hxy = _alpha_entropy(kx * ky, order)
    return _result(
        hx + hy - hxy,
        n,
        "mutual_information",
        units,
        alpha=order,
        sigma_x=wx,
        sigma_y=wy,
        entropy_x=from_nats(hx, units),
        entropy_y=from_nats(hy, units),
        joint_entropy=from_nats(hxy, units),
    )
