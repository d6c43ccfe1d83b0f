"""Noisy networks and the sample-propagation estimator (Goldfeld et al. 2019; specs §5.1, R7).

A noisy network replaces each chosen layer's output ``S_l = f_l(T_{l-1})`` by
``T_l = S_l + Z_l`` with ``Z_l ~ N(0, beta^2 I)``, in training **and** in evaluation
(:class:`GaussianNoise`, forward hooks). Then I(X; T_l) is finite and, for ``n`` equally likely
distinct inputs, at most H(X) = ln n. The sample-propagation (SP) estimate is a difference of
Gaussian-mixture entropies, h(T_l) - h(T_l | X), computed by Monte Carlo:

* :class:`SamplePropagation` is a layer estimator (numpy, the ``LayerEstimator`` protocol): ``t``
  is the noiseless ``S_l``, one row per input. It treats ``S_l`` as a function of ``X`` (exact
  when no noise acts upstream of the layer, e.g. the first noisy layer); with upstream noise
  h(T | X) >= h(Z), so the value is an upper bound on the noisy network's I(X; T_l).
* :func:`sample_propagation` is the full estimator on a noisy torch model: it propagates every
  input ``n_conditional`` times through the noise and uses those samples for h(T_l | X = x).

Both draw the Monte-Carlo noise from the ``rng`` given at call time. Everything is in nats.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from scipy.special import logsumexp

from infolens._typing import FloatArray, IntArray, RNGLike
from infolens._validation import check_int, check_positive_real, check_rng
from infolens.exceptions import InvalidDataTypeError, InvalidInputError, InvalidParameterError
from infolens.infoplane._base import LayerInformation, check_activations, make_identity

if TYPE_CHECKING:
    import torch
    from torch import nn

_BLOCK = 1024
_CELLS = 1 << 21  # distances held at once (16 MiB of float64)


def log_mixture_density(points: FloatArray, centres: FloatArray, beta: float) -> FloatArray:
    """Return ``log (1/M) sum_j N(p; c_j, beta^2 I)`` for every row ``p`` of ``points``.

    Examples
    --------
    >>> float(log_mixture_density(np.zeros((1, 1)), np.zeros((1, 1)), 1.0)[0])  # log N(0; 0, 1)
    -0.9189385332046727
    """
    d = points.shape[1]
    const = -d / 2 * math.log(2 * math.pi * beta**2) - math.log(len(centres))
    sq_c = (centres**2).sum(axis=1)
    out = np.empty(len(points))
    step = max(1, min(_BLOCK, _CELLS // max(len(centres), 1)))  # bounded memory per block
    for start in range(0, len(points), step):
        block = points[start : start + step]
        d2 = np.maximum((block**2).sum(axis=1)[:, None] + sq_c[None, :] - 2 * block @ centres.T, 0)
        out[start : start + step] = logsumexp(d2 / (-2 * beta**2), axis=1)
    return np.asarray(out + const)


def mixture_information(
    s: FloatArray, y: IntArray, beta: float, *, n_draws: int = 1, rng: RNGLike = None
) -> LayerInformation:
    """I(X;T), I(T;Y), I(X;T|Y) in nats of ``T = S + N(0, beta^2 I)`` with ``S`` a function of X.

    Each of the ``n`` rows of ``s`` is the image of one equally likely input. With draws
    ``t_i = s_i + beta z_i`` (``n_draws`` per row, from ``rng``) and the mixtures ``g`` (all rows)
    and ``g_y`` (rows of class ``y``) of ``N(s_j, beta^2 I)``:
    I(X;T) = mean[log phi(z_i) - log g(t_i)], I(X;T|Y) = mean[log phi(z_i) - log g_{y_i}(t_i)],
    I(T;Y) = mean[log g_{y_i}(t_i) - log g(t_i)] (the same draws, so I(X;T) = I(T;Y) + I(X;T|Y)).
    Since ``g(t_i) >= phi(z_i) / n``, every term of I(X;T) is at most ln n = H(X): the estimate
    never exceeds H(X), whatever the draws.
    """
    generator = check_rng(rng)
    n, d = s.shape
    draws = np.concatenate([s] * n_draws)
    labels = np.concatenate([y] * n_draws)
    z = generator.standard_normal(draws.shape)
    points = draws + beta * z
    log_phi = -d / 2 * math.log(2 * math.pi * beta**2) - 0.5 * (z**2).sum(axis=1)
    log_g = log_mixture_density(points, s, beta)
    log_gy = np.empty_like(log_g)
    for label in np.unique(y):
        rows = labels == label
        log_gy[rows] = log_mixture_density(points[rows], s[y == label], beta)
    return LayerInformation(
        i_xt=float(np.mean(log_phi - log_g)),
        i_ty=float(np.mean(log_gy - log_g)),
        i_xt_given_y=float(np.mean(log_phi - log_gy)),
    )


@dataclass(frozen=True, kw_only=True)
class SamplePropagation:
    """Sample-propagation estimate for a noisy layer ``T = S + N(0, beta^2 I)`` (Goldfeld et al.).

    ``t`` passed to :meth:`estimate` is the noiseless ``S`` (one row per probe input, the inputs
    distinct and equally likely, so H(X) = ln n). Values come from
    :func:`mixture_information`: I(X;T) <= H(X) always. Exact in expectation when ``S`` is a
    function of ``X`` (no noise upstream); otherwise an upper bound (see the module doc, and
    :func:`sample_propagation` for the full estimator).

    Parameters
    ----------
    beta : float, default=0.1
        Standard deviation of the layer's Gaussian noise (the network's, not an analysis choice
        when the network is trained with :class:`GaussianNoise`).
    n_draws : int, default=1
        Monte-Carlo noise draws per sample.

    Examples
    --------
    >>> s = np.random.default_rng(0).standard_normal((500, 1))
    >>> info = SamplePropagation(beta=1.0).estimate(s, np.zeros(500, dtype=int), rng=1)
    >>> bool(abs(info.i_xt - 0.5 * math.log(2.0)) < 0.1)  # Gaussian S, unit noise: ln(2)/2
    True
    """

    name: ClassVar[str] = "sample_propagation"
    version: ClassVar[int] = 1
    beta: float = 0.1
    n_draws: int = 1

    def __post_init__(self) -> None:
        check_positive_real(self.beta, name="beta", owner="SamplePropagation")
        check_int(self.n_draws, name="n_draws", owner="SamplePropagation")

    def identity(self) -> str:
        """Return the versioned identity that keys this estimator's records."""
        return make_identity(self.name, self.version, beta=self.beta, n_draws=self.n_draws)

    def config(self) -> dict[str, Any]:
        """Return the estimator and its assumptions, as recorded beside every value."""
        return {
            "estimator": self.name,
            "beta": self.beta,
            "n_draws": self.n_draws,
            "assumes": "T = S + N(0, beta^2 I), S a function of X (upper bound otherwise)",
        }

    def estimate(self, t: FloatArray, y: IntArray, *, rng: RNGLike = None) -> LayerInformation:
        """Return the layer's information in nats; the Monte-Carlo noise is drawn from ``rng``."""
        t, y = check_activations(t, y, owner="SamplePropagation")
        return mixture_information(t, y, self.beta, n_draws=self.n_draws, rng=rng)


def _check_betas(beta: float | Sequence[float], modules: Sequence[str]) -> list[float]:
    values = [beta] * len(modules) if isinstance(beta, int | float) else list(beta)
    if len(values) != len(modules):
        raise InvalidParameterError(
            f"The 'beta' parameter of GaussianNoise must be one float or one per module "
            f"({len(modules)}). Got {len(values)} values instead."
        )
    return [check_positive_real(b, name="beta", owner="GaussianNoise") for b in values]


class GaussianNoise:
    """Add ``N(0, beta^2 I)`` to the outputs of chosen modules, in training and in evaluation.

    Forward hooks on ``modules`` (names from ``model.named_modules()``) replace each output
    ``S`` by ``S + beta * Z``; the noiseless ``S`` of the last forward pass is kept in
    :attr:`clean` (detached) when ``keep_clean`` is true. Remove the hooks with :meth:`remove`
    or by leaving a ``with`` block. ``relative=True`` scales the noise by ``|S|`` elementwise
    (Butakov et al.'s noise-to-signal ratio).

    Parameters
    ----------
    model : torch.nn.Module
    modules : sequence of str
    beta : float or sequence of float
        Noise standard deviation(s), > 0.
    relative : bool, default=False
    generator : torch.Generator or None
        Source of the noise (None: torch's global generator).
    keep_clean : bool, default=True

    Raises
    ------
    InvalidParameterError
        For an unknown module name or ``beta <= 0``.
    InvalidDataTypeError
        When a noisy module emits something other than a floating-point tensor (raised from the
        forward pass, naming the module).
    """

    def __init__(
        self,
        model: "nn.Module",
        modules: Sequence[str],
        beta: float | Sequence[float],
        *,
        relative: bool = False,
        generator: "torch.Generator | None" = None,
        keep_clean: bool = True,
    ) -> None:
        names = dict(model.named_modules())
        unknown = [m for m in modules if m not in names]
        if unknown or not modules:
            raise InvalidParameterError(
                f"The 'modules' parameter of GaussianNoise must name modules of the model "
                f"(from named_modules(), e.g. {list(names)[1:4]}). Got {list(modules)!r}."
            )
        self.betas = dict(zip(modules, _check_betas(beta, modules), strict=True))
        self.relative = bool(relative)
        self.generator = generator
        self.keep_clean = keep_clean
        self.clean: dict[str, torch.Tensor] = {}
        self._handles = [names[m].register_forward_hook(self._hook(m)) for m in modules]

    def _hook(self, name: str) -> Any:
        import torch

        beta = self.betas[name]

        def hook(module: Any, args: Any, output: Any) -> Any:
            if not isinstance(output, torch.Tensor) or not output.is_floating_point():
                raise InvalidDataTypeError(
                    f"GaussianNoise: module {name!r} ({type(module).__name__}) must output a "
                    f"floating-point torch.Tensor to receive noise; got {type(output).__name__}. "
                    "Choose a module that emits a tensor of activations."
                )
            if self.keep_clean:
                self.clean[name] = output.detach()
            z = torch.randn(
                output.shape, generator=self.generator, device=output.device, dtype=output.dtype
            )
            scale = beta * output.detach().abs() if self.relative else beta
            return output + scale * z

        return hook

    def remove(self) -> None:
        """Remove the hooks (idempotent)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self) -> "GaussianNoise":
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def _rows(tensor: "torch.Tensor") -> FloatArray:
    return np.asarray(tensor.reshape(len(tensor), -1).double().cpu().numpy())


def sample_propagation(
    model: "nn.Module",
    inputs: "torch.Tensor",
    labels: Any,
    noise: GaussianNoise,
    *,
    n_conditional: int = 8,
    rng: RNGLike = None,
) -> dict[str, LayerInformation]:
    """Full SP estimate of every noisy layer of ``model`` (nats), Goldfeld et al.'s estimator.

    The ``n`` probe ``inputs`` are taken as distinct and equally likely (H(X) = ln n). Each
    input is propagated ``n_conditional + 1`` times through the noisy network (the network's
    noise comes from ``noise.generator``); the noiseless outputs ``S_l`` of the last
    ``n_conditional`` passes are samples of ``S_l | X = x_i`` and define the mixtures
    p(t | x_i) (their ``N(s, beta_l^2 I)`` kernels), p(t | y) and p(t) = mean_i p(t | x_i).
    From one draw ``t_i = S_l(x_i) + beta_l z_i`` per input (the first pass, ``z`` from
    ``rng``): I(X;T) = mean[log p(t_i|x_i) - log p(t_i)], I(T;Y) = mean[log p(t_i|y_i) -
    log p(t_i)], I(X;T|Y) = mean[log p(t_i|x_i) - log p(t_i|y_i)]. Since p(t) >= p(t|x_i)/n,
    I(X;T) <= ln n = H(X) for every draw. Exact for a layer without upstream noise (then all
    samples of ``S_l | x`` coincide), consistent as ``n_conditional`` grows otherwise.
    """
    import torch

    if not isinstance(inputs, torch.Tensor):
        raise InvalidInputError(
            f"sample_propagation: inputs must be a torch.Tensor, got {type(inputs).__name__}."
        )
    check_int(n_conditional, name="n_conditional", owner="sample_propagation", low=2)
    generator = check_rng(rng)
    y = np.unique(np.asarray(labels).reshape(len(inputs), -1), axis=0, return_inverse=True)[1]
    y = np.asarray(y).reshape(-1)
    n = len(inputs)
    was_training = model.training
    model.eval()
    samples: dict[str, list[FloatArray]] = {name: [] for name in noise.betas}
    try:
        with torch.no_grad():
            for _ in range(n_conditional + 1):
                model(inputs)
                for name in noise.betas:
                    if name not in noise.clean:
                        raise InvalidInputError(
                            f"sample_propagation: the noisy module {name!r} was not called by "
                            "the model's forward pass."
                        )
                    samples[name].append(_rows(noise.clean[name]))
    finally:
        model.train(was_training)
    out: dict[str, LayerInformation] = {}
    for name, beta in noise.betas.items():
        s0 = samples[name][0]
        cond = np.stack(samples[name][1:], axis=1)  # (n, m, d): samples of S | X = x_i
        m, d = cond.shape[1], cond.shape[2]
        points = s0 + beta * generator.standard_normal(s0.shape)  # t_i ~ T | X = x_i
        d2 = ((points[:, None, :] - cond) ** 2).sum(axis=2)  # (n, m)
        log_given_x = (
            logsumexp(d2 / (-2 * beta**2), axis=1)
            - math.log(m)
            - d / 2 * math.log(2 * math.pi * beta**2)
        )
        log_marginal = log_mixture_density(points, cond.reshape(n * m, d), beta)
        log_given_y = np.empty(n)
        for label in np.unique(y):
            rows = y == label
            log_given_y[rows] = log_mixture_density(points[rows], cond[rows].reshape(-1, d), beta)
        out[name] = LayerInformation(
            i_xt=float(np.mean(log_given_x - log_marginal)),
            i_ty=float(np.mean(log_given_y - log_marginal)),
            i_xt_given_y=float(np.mean(log_given_x - log_given_y)),
        )
    return out


def class_separation(t: FloatArray, y: IntArray) -> float:
    """Fraction of the layer's total variance that lies between class means (0..1).

    Goldfeld et al. relate compression in noisy networks to the geometric clustering of each
    class's representations; this is a simple measure of that clustering.

    Examples
    --------
    >>> t = np.array([[0.0], [0.0], [1.0], [1.0]])
    >>> class_separation(t, np.array([0, 0, 1, 1]))
    1.0
    """
    t, y = check_activations(t, y, owner="class_separation")
    total = float(((t - t.mean(axis=0)) ** 2).sum())
    if total == 0:
        return 0.0
    between = sum(
        float((y == c).sum() * ((t[y == c].mean(axis=0) - t.mean(axis=0)) ** 2).sum())
        for c in np.unique(y)
    )
    return between / total


__all__ = [
    "GaussianNoise",
    "SamplePropagation",
    "class_separation",
    "log_mixture_density",
    "mixture_information",
    "sample_propagation",
]
