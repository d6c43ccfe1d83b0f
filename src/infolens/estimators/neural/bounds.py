r"""Variational bounds on mutual information, as pure functions of a critic score matrix.

Every function takes ``scores`` of shape ``(n, n)`` with ``scores[i, j] = f(x_i, y_j)``: the
``n`` diagonal entries are scores of joint samples (positives) and the ``n (n - 1)``
off-diagonal entries stand in for samples of the product of the marginals (negatives). Every
function returns a 0-d tensor in **nats** that is differentiable in ``scores``.

===================  ===========================================================  ==========
function             value (``S = scores``, ``mean_{i!=j}`` over the negatives)    kind
===================  ===========================================================  ==========
``infonce``          ``log n + mean_i(S_ii - logsumexp_j S_ij)`` (row with i)      <= log n
``nwj``              ``1 + mean_i(S_ii - 1) - mean_{i!=j} exp(S_ij - 1)``          lower
``tuba``             ``1 + mean_i S_ii - mean_{i!=j} exp(S_ij)``                   lower
``dv``               ``mean_i S_ii - log mean_{i!=j} exp(S_ij)``                   lower
``mine``             value of ``dv``, moving-average gradient                      lower
``smile``            ``dv`` with the negatives clipped to ``[-clip, clip]``        biased
``js_fgan``          ``-mean_i softplus(-S_ii) - mean_{i!=j} softplus(S_ij)``      f-GAN
``jensen_shannon``   ``(js_fgan + log 4) / 2``                                     JSD
``js``               value of ``nwj``, gradient of ``js_fgan``                     lower
``club``             ``mean_i S_ii - mean_{i,j} S_ij``, ``S_ij = log q(y_j|x_i)``  upper
``wdm``              ``mean_i S_ii - mean_{i!=j} S_ij`` (1-Lipschitz critic)       WDM
===================  ===========================================================  ==========

The formulas follow Poole et al. [1]_ (with the conventions of the SMILE code of Song & Ermon
[2]_: the negatives are the off-diagonal entries), Cheng et al. [3]_ for CLUB and Ozair et
al. [4]_ for the Wasserstein dependency measure.

References
----------
.. [1] B. Poole, S. Ozair, A. van den Oord, A. Alemi, G. Tucker, "On variational bounds of
   mutual information", ICML 2019.
.. [2] J. Song, S. Ermon, "Understanding the limitations of variational mutual information
   estimators", ICLR 2020.
.. [3] P. Cheng, W. Hao, S. Dai, J. Liu, Z. Gan, L. Carin, "CLUB: a contrastive log-ratio upper
   bound of mutual information", ICML 2020.
.. [4] S. Ozair, C. Lynch, Y. Bengio, A. van den Oord, S. Levine, P. Sermanet, "Wasserstein
   dependency measure for representation learning", NeurIPS 2019.

Examples
--------
>>> import torch
>>> scores = torch.tensor([[2.0, 0, 0, -1], [0, 2, 1, 0], [0, -1, 2, 0], [1, 0, 0, 2]],
...                       dtype=torch.float64)
>>> round(float(infonce(scores)), 10), round(float(dv(scores)), 10)
(1.0003993218, 1.8336157041)
"""

import math

import torch
import torch.nn.functional as F  # noqa: N812 (the conventional alias)

from infolens.exceptions import InvalidInputError

__all__ = [
    "club",
    "dv",
    "gaussian_log_likelihood_matrix",
    "infonce",
    "jensen_shannon",
    "js",
    "js_fgan",
    "mine",
    "nwj",
    "smile",
    "tuba",
    "wdm",
]


def _check_scores(scores: torch.Tensor) -> int:
    if scores.ndim != 2 or scores.shape[0] != scores.shape[1] or scores.shape[0] < 2:
        raise InvalidInputError(
            "The critic scores must be a square matrix of shape (n, n) with n >= 2 "
            f"(scores[i, j] = f(x_i, y_j)). Got shape {tuple(scores.shape)} instead."
        )
    return int(scores.shape[0])


def _off_diagonal(scores: torch.Tensor) -> torch.Tensor:
    """Return the ``n (n - 1)`` off-diagonal entries as a flat tensor."""
    n = scores.shape[0]
    mask = ~torch.eye(n, dtype=torch.bool, device=scores.device)
    return scores[mask]


def _log_mean_exp_off_diagonal(scores: torch.Tensor) -> torch.Tensor:
    negatives = _off_diagonal(scores)
    return torch.logsumexp(negatives, dim=0) - math.log(negatives.numel())


def infonce(scores: torch.Tensor) -> torch.Tensor:
    """InfoNCE (CPC) lower bound, ``log n + mean_i(S_ii - logsumexp_j S_ij)``, in nats.

    The row's log-sum-exp includes the positive, so the value never exceeds ``log n``.

    Parameters
    ----------
    scores : torch.Tensor of shape (n, n)
        Critic scores ``f(x_i, y_j)``.

    Returns
    -------
    torch.Tensor
        0-d tensor, the bound in nats.
    """
    n = _check_scores(scores)
    return math.log(n) + (scores.diagonal() - torch.logsumexp(scores, dim=1)).mean()


def tuba(scores: torch.Tensor) -> torch.Tensor:
    """TUBA lower bound without baseline, ``1 + mean_i S_ii - mean_{i!=j} exp(S_ij)``, in nats.

    Parameters
    ----------
    scores : torch.Tensor of shape (n, n)
        Critic scores ``f(x_i, y_j)``.

    Returns
    -------
    torch.Tensor
        0-d tensor, the bound in nats.
    """
    _check_scores(scores)
    return 1.0 + scores.diagonal().mean() - torch.exp(_log_mean_exp_off_diagonal(scores))


def nwj(scores: torch.Tensor) -> torch.Tensor:
    """NWJ (f-divergence) lower bound, TUBA applied to ``scores - 1``, in nats.

    Parameters
    ----------
    scores : torch.Tensor of shape (n, n)
        Critic scores ``f(x_i, y_j)``; the optimal critic is ``1 + log p(x, y) / (p(x) p(y))``.

    Returns
    -------
    torch.Tensor
        0-d tensor, the bound in nats.
    """
    return tuba(scores - 1.0)


def dv(scores: torch.Tensor) -> torch.Tensor:
    """Donsker–Varadhan lower bound, ``mean_i S_ii - log mean_{i!=j} exp(S_ij)``, in nats.

    Parameters
    ----------
    scores : torch.Tensor of shape (n, n)
        Critic scores ``f(x_i, y_j)``; the value is invariant to adding a constant.

    Returns
    -------
    torch.Tensor
        0-d tensor, the bound in nats.
    """
    _check_scores(scores)
    return scores.diagonal().mean() - _log_mean_exp_off_diagonal(scores)


def mine(scores: torch.Tensor, denominator: torch.Tensor | float) -> torch.Tensor:
    r"""MINE: the value of :func:`dv` with the moving-average gradient of Belghazi et al.

    The returned tensor equals ``dv(scores)``, but its gradient is
    ``grad mean_i S_ii - grad B / denominator`` with ``B = mean_{i!=j} exp(S_ij)``: the batch
    denominator of the exact DV gradient is replaced by ``denominator``, a moving average of
    ``B`` kept by the caller (detached), which reduces the bias of the stochastic gradient.

    Parameters
    ----------
    scores : torch.Tensor of shape (n, n)
        Critic scores ``f(x_i, y_j)``.
    denominator : torch.Tensor or float
        The moving average of ``mean_{i!=j} exp(S_ij)`` (positive; treated as a constant).

    Returns
    -------
    torch.Tensor
        0-d tensor whose value is the DV bound in nats.
    """
    value = dv(scores)
    batch_mean_exp = torch.exp(_log_mean_exp_off_diagonal(scores))
    if isinstance(denominator, torch.Tensor):
        denominator = denominator.detach()
    surrogate = scores.diagonal().mean() - batch_mean_exp / denominator
    return value.detach() + surrogate - surrogate.detach()


def smile(scores: torch.Tensor, clip: float = 5.0) -> torch.Tensor:
    """Return SMILE: the DV value with clipped negatives and the gradient of :func:`js_fgan`.

    Parameters
    ----------
    scores : torch.Tensor of shape (n, n)
        Critic scores ``f(x_i, y_j)``.
    clip : float, default=5.0
        The clipping threshold tau (Song & Ermon used 1, 5 and infinity). Only the marginal term
        is clipped; ``math.inf`` gives the DV value.

    Returns
    -------
    torch.Tensor
        0-d tensor whose value is the clipped DV estimate in nats.
    """
    _check_scores(scores)
    clipped = scores.clamp(-clip, clip)
    value = scores.diagonal().mean() - _log_mean_exp_off_diagonal(clipped)
    objective = js_fgan(scores)
    return value.detach() + objective - objective.detach()


def js_fgan(scores: torch.Tensor) -> torch.Tensor:
    """Return the f-GAN Jensen–Shannon objective of the scores.

    ``J = -mean_i softplus(-S_ii) - mean_{i!=j} softplus(S_ij)``.
    Its maximum is ``2 JSD(p(x, y) || p(x) p(y)) - log 4`` (see :func:`jensen_shannon`); the
    maximising critic is the log density ratio ``log p(x, y) / (p(x) p(y))``.

    Parameters
    ----------
    scores : torch.Tensor of shape (n, n)
        Critic scores ``f(x_i, y_j)``.

    Returns
    -------
    torch.Tensor
        0-d tensor (nats, always <= 0).
    """
    _check_scores(scores)
    positive = -F.softplus(-scores.diagonal()).mean()
    negative = F.softplus(_off_diagonal(scores)).mean()
    return positive - negative


def jensen_shannon(scores: torch.Tensor) -> torch.Tensor:
    """Lower bound on the Jensen–Shannon divergence between the joint and the marginals.

    Parameters
    ----------
    scores : torch.Tensor of shape (n, n)
        Critic scores ``f(x_i, y_j)``.

    Returns
    -------
    torch.Tensor
        0-d tensor, ``(js_fgan(scores) + log 4) / 2`` in nats (in ``[0, log 2]`` at the optimum).
    """
    return (js_fgan(scores) + math.log(4.0)) / 2.0


def js(scores: torch.Tensor) -> torch.Tensor:
    """Poole et al.'s "JS" estimator: the value of :func:`nwj`, the gradient of :func:`js_fgan`.

    Training with the JS gradient is stable; the value reported is the NWJ bound of the same
    scores (the convention of the reference code, the test vector of the spec).

    Parameters
    ----------
    scores : torch.Tensor of shape (n, n)
        Critic scores ``f(x_i, y_j)``.

    Returns
    -------
    torch.Tensor
        0-d tensor whose value is the NWJ bound in nats.

    Notes
    -----
    The JS-optimal critic is ``log r`` with ``r`` the density ratio, while the NWJ-optimal one is
    ``1 + log r``; at the JS optimum this value is therefore ``I - 1/e``. The estimator reports
    :func:`dv` (shift-invariant, exact at ``log r``) for ``bound="js"`` instead.
    """
    value = nwj(scores)
    objective = js_fgan(scores)
    return value.detach() + objective - objective.detach()


def club(scores: torch.Tensor) -> torch.Tensor:
    """CLUB upper bound, ``mean_i S_ii - mean_{i,j} S_ij`` with ``S_ij = log q(y_j | x_i)``.

    The negatives include ``j = i`` (as CLUB's ``CLUB.forward``). Any term that depends on ``i``
    only (the Gaussian normaliser and log-variance) cancels.

    Parameters
    ----------
    scores : torch.Tensor of shape (n, n)
        Log-likelihoods ``log q(y_j | x_i)`` of a variational model, e.g. from
        :func:`gaussian_log_likelihood_matrix`.

    Returns
    -------
    torch.Tensor
        0-d tensor, the estimate in nats (an upper bound when ``q`` is close to ``p(y | x)``).
    """
    _check_scores(scores)
    return scores.diagonal().mean() - scores.mean()


def wdm(scores: torch.Tensor) -> torch.Tensor:
    """Wasserstein dependency objective ``mean_i S_ii - mean_{i!=j} S_ij`` (Kantorovich dual).

    It equals the Wasserstein-1 distance between the joint and the product of the marginals
    only at the supremum over 1-Lipschitz critics, so use it with a Lipschitz critic (e.g.
    ``ConcatCritic(lipschitz=True)``). It is a distance in the units of the data, not an MI.

    Parameters
    ----------
    scores : torch.Tensor of shape (n, n)
        Critic scores ``f(x_i, y_j)``.

    Returns
    -------
    torch.Tensor
        0-d tensor.
    """
    _check_scores(scores)
    return scores.diagonal().mean() - _off_diagonal(scores).mean()


def gaussian_log_likelihood_matrix(
    mean: torch.Tensor, log_variance: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """Return ``S[i, j] = log N(y_j; mean_i, diag(exp(log_variance_i)))``, in nats.

    Parameters
    ----------
    mean, log_variance : torch.Tensor of shape (n, dim_y)
        Parameters of the Gaussian ``q(y | x_i)``.
    y : torch.Tensor of shape (m, dim_y)
        Points at which each density is evaluated.

    Returns
    -------
    torch.Tensor of shape (n, m)
        The log-densities (normalised).
    """
    inverse_variance = torch.exp(-log_variance)[:, None, :]
    squared = (y[None, :, :] - mean[:, None, :]) ** 2
    per_dim = -0.5 * (squared * inverse_variance + log_variance[:, None, :] + math.log(2 * math.pi))
    return per_dim.sum(dim=-1)
