"""Information plane via lossy compression (Butakov et al., ICLR 2024; specs §4, R8), in nats.

The probe inputs X are compressed once to a few dimensions (:func:`compress_inputs`: a small
dense autoencoder, or PCA as the documented fallback), each layer's activations T at each epoch
are made stochastic with **relative** Gaussian noise (std ``relative_noise * |T|``, the paper's
noise-to-signal ratio 1e-3, on in evaluation) and projected on their ``layer_dims`` leading
principal components (whitened codes X~ and T~); then, with discrete labels Y and ``k = 5``
neighbours,

* I(T;Y) = h(T~) - sum_y p(y) h(T~ | Y = y), Kozachenko–Leonenko (KL) entropies,
* I(X;T|Y) = max(0, sum_y p(y) I_KSG(X~; T~ | Y = y)), KSG on the rows of each class,
* I(X;T) = I(T;Y) + I(X;T|Y).

**Why the chain rule** (version 2; version 1 returned I(X;T) = h(X~) + h(T~) - h(X~, T~)).
A code X~ of a few dimensions can lose the label: in deep layers, where T~ keeps Y and
little else of X, I(X~;T~) then fell below I(T;Y) (by 11 nats on the deep-layer test of
``tests/infoplane/test_lossy.py``, by 0.7 bit at the end of the laptop-size lossy-mnist
reproduction), which the data-processing inequality forbids (Y = f(X), so Y - X - T).
Version 2 estimates the information the layer keeps about the pair (X~, Y) instead of X~
alone: I((X~, Y); T~) = I(Y;T~) + I(X~;T~|Y) is the chain rule, exact for any variables.
**The assumption** is that the labels are a function of the probe inputs (every probe image
has one label): then (X~, Y) is itself a compression of X, so by data processing the estimand
I((X~, Y); T~) is still a lower bound on the noisy layer's I(X;T~), and a tighter one than
I(X~;T~) (it is at least as large); and I(X;T) >= I(T;Y) holds for the estimates by
construction.

**The conditional term is KSG, not three KL entropies**: with the few samples of one class in
``x_dims + layer_dims`` dimensions the KL differences are biased (measured, 4+4 independent
Gaussian dims, 10 draws: -0.58 / -0.52 / -0.34 nats at 60 / 100 / 300 samples), KSG by at most
0.02 (its bias at positive MI is downwards: 0.42 at 1 nat with 60 samples), so the chain rule
stays a lower bound rather than trading one bias for another. **Negative conditional terms are
clipped to 0** and reported by :meth:`LossyCompression.details` (``i_xt_given_y_raw``,
``clipped``): the true I(X~;T~|Y) is non-negative, so clipping projects the estimate on the
feasible set and never increases its error (for a truth b >= 0, ``|max(0, a) - b| <= |a - b|``);
the cost is an upward bias of at most the negative excursion (KSG: ~0.03 nats) when the truth
is 0. With one class (Y constant), I(X;T) is KSG of the whole sample. :class:`LossyCompression`
validates its inputs like every layer estimator; its accuracy on images with known MI is tested
in ``tests/infoplane/test_lossy.py``. **Cost**: all classes' KL and KSG terms of a layer come
from one grouped k-NN search each (:meth:`LossyCompression._per_class`), bit for bit the
class-by-class values: ~5 ms for a 360-sample layer of 10 classes.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import NDArray

from infolens._typing import FloatArray, IntArray, RNGLike
from infolens._validation import check_array, check_choice, check_int, check_rng
from infolens.exceptions import InvalidInputError, InvalidParameterError
from infolens.infoplane._base import LayerInformation, check_activations, make_identity

XMethod = Literal["autoencoder", "pca", "given"]


def _whiten(codes: FloatArray) -> FloatArray:
    """Scale each column to unit variance; drop constant columns (they carry no information)."""
    sd = codes.std(axis=0)
    keep = sd > 1e-12 * max(float(sd.max(initial=0.0)), 1e-300)
    return np.asarray(codes[:, keep] / sd[keep])


def compress_pca(data: FloatArray, n_components: int) -> FloatArray:
    """Return the whitened scores of ``data`` on its ``n_components`` leading principal axes."""
    from infolens.estimators.compression import principal_components  # scipy at import: lazy

    scores, _ = principal_components(np.asarray(data, dtype=np.float64), n_components)
    return _whiten(scores)


def compress_inputs(
    x: Any,
    n_components: int = 4,
    *,
    method: Literal["autoencoder", "pca"] = "autoencoder",
    epochs: int = 200,
    hidden: int = 128,
    rng: RNGLike = None,
) -> FloatArray:
    """Compress the probe inputs ``x`` (``(n, ...)``, flattened) to ``n_components`` codes.

    ``method="autoencoder"`` trains a dense autoencoder ``d -> hidden -> n_components -> hidden
    -> d`` (tanh, MSE, Adam lr 1e-3, full batch, ``epochs`` steps, weights from ``rng``) on
    ``x`` and returns the whitened bottleneck codes; it needs torch. ``method="pca"`` (the
    fallback, numpy only) returns whitened principal-component scores. The paper uses a
    convolutional autoencoder with an L1 loss (specs §4.1); this one is smaller and dense.

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((100, 10))
    >>> compress_inputs(x, 3, method="pca").shape
    (100, 3)
    """
    data = check_array(np.asarray(x, dtype=np.float64).reshape(len(x), -1), name="x")
    check_int(n_components, name="n_components", owner="compress_inputs")
    check_choice(method, ("autoencoder", "pca"), name="method")
    if method == "pca" or data.shape[1] <= n_components:
        return compress_pca(data, n_components)
    import torch
    from torch import nn

    check_int(epochs, name="epochs", owner="compress_inputs")
    seed = int(check_rng(rng).integers(2**31))
    torch.manual_seed(seed)
    mean, sd = data.mean(axis=0), data.std(axis=0) + 1e-8
    inputs = torch.as_tensor((data - mean) / sd, dtype=torch.float32)
    d = data.shape[1]
    encoder = nn.Sequential(nn.Linear(d, hidden), nn.Tanh(), nn.Linear(hidden, n_components))
    decoder = nn.Sequential(nn.Linear(n_components, hidden), nn.Tanh(), nn.Linear(hidden, d))
    optimiser = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=1e-3)
    for _ in range(epochs):
        optimiser.zero_grad()
        loss = torch.mean((decoder(encoder(inputs)) - inputs) ** 2)
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
    with torch.no_grad():
        codes = encoder(inputs).double().numpy()
    return _whiten(np.asarray(codes))


def _digest(array: FloatArray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array, dtype=np.float64).tobytes()).hexdigest()[:16]


@dataclass(frozen=True, kw_only=True)
class LossyCompression:
    """Lossy-compression estimate of a layer's I(X;T), I(T;Y), I(X;T|Y) (Butakov et al.).

    I(X;T) = I(T;Y) + max(0, I(X~;T~|Y)): the information about the compressed inputs and the
    labels together, >= I(T;Y) by construction; it assumes the labels are a function of the
    probe inputs (see the module docstring).

    Parameters
    ----------
    inputs : array of shape (n_samples, x_dims)
        The compressed probe inputs X~ (from :func:`compress_inputs`), one row per probe sample,
        in the order of the activations. Part of the identity through a SHA-256 digest.
    x_method : {"autoencoder", "pca", "given"}, default="given"
        How ``inputs`` were made (recorded in the identity; :meth:`from_inputs` sets it).
    layer_dims : int, default=4
        Principal components kept of each layer.
    k : int, default=5
        Neighbours of the Kozachenko–Leonenko entropies and of the per-class KSG term.
    relative_noise : float, default=1e-3
        Noise-to-signal ratio of the stochastic layer (std ``relative_noise * |t|``); 0 disables.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> latent = rng.standard_normal((2000, 1))
    >>> x = latent + 0.5 * rng.standard_normal((2000, 1))  # I(latent; x) = ln(5)/2
    >>> est = LossyCompression(inputs=x, layer_dims=1)
    >>> t = latent @ rng.standard_normal((1, 20))  # a 20-unit layer, rank 1
    >>> bool(abs(est.estimate(t, np.zeros(2000, int), rng=0).i_xt - np.log(5) / 2) < 0.1)
    True
    """

    name: ClassVar[str] = "lossy_compression"
    version: ClassVar[int] = 2  # 2: I(X;T) by the chain rule (module docstring)
    inputs: FloatArray = field(repr=False, compare=False)
    x_method: XMethod = "given"
    layer_dims: int = 4
    k: int = 5
    relative_noise: float = 1e-3
    inputs_digest: str = field(init=False, default="")
    _class_inputs: dict[bytes, FloatArray] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )  # each class's standardised X~ rows: the same at every capture

    def __post_init__(self) -> None:
        codes = check_array(self.inputs, name="inputs")
        object.__setattr__(self, "inputs", codes)
        object.__setattr__(self, "inputs_digest", _digest(codes))
        check_choice(self.x_method, ("autoencoder", "pca", "given"), name="x_method")
        check_int(self.layer_dims, name="layer_dims", owner="LossyCompression")
        check_int(self.k, name="k", owner="LossyCompression")
        noise = self.relative_noise
        if isinstance(noise, bool) or not isinstance(noise, int | float) or not 0 <= noise < 1:
            raise InvalidParameterError(
                "The 'relative_noise' parameter of LossyCompression must be a float in the "
                f"range [0, 1). Got {noise!r} instead."
            )

    @classmethod
    def from_inputs(
        cls,
        x: Any,
        *,
        x_dims: int = 4,
        x_method: Literal["autoencoder", "pca"] = "autoencoder",
        epochs: int = 200,
        rng: RNGLike = 0,
        **params: Any,
    ) -> "LossyCompression":
        """Compress the raw probe inputs ``x`` with :func:`compress_inputs`, then build."""
        codes = compress_inputs(x, x_dims, method=x_method, epochs=epochs, rng=rng)
        return cls(inputs=codes, x_method=x_method, **params)

    def identity(self) -> str:
        """Return the versioned identity that keys this estimator's records."""
        return make_identity(
            self.name,
            self.version,
            inputs=self.inputs_digest,
            x_dims=self.inputs.shape[1],
            x_method=self.x_method,
            layer_dims=self.layer_dims,
            k=self.k,
            relative_noise=float(self.relative_noise),
        )

    def config(self) -> dict[str, Any]:
        """Return the estimator and its assumptions, as recorded beside every value."""
        return {
            "estimator": self.name,
            "version": self.version,
            "i_xt": "I(T;Y) + max(0, I(X~;T~|Y)); assumes the labels are a function of X",
            "x_dims": int(self.inputs.shape[1]),
            "x_method": self.x_method,
            "layer_dims": self.layer_dims,
            "k": self.k,
            "relative_noise": self.relative_noise,
        }

    def _entropy(self, data: FloatArray, what: str) -> float:
        from infolens.estimators.kl import KozachenkoLeonenkoEstimator

        try:
            return KozachenkoLeonenkoEstimator(k=self.k).entropy(data).value
        except InvalidInputError as err:
            raise InvalidInputError(f"LossyCompression ({what}): {err}") from None

    def compress_layer(self, t: FloatArray, *, rng: RNGLike = None) -> FloatArray:
        """Return the noisy, PCA-compressed, whitened codes of one layer's activations."""
        generator = check_rng(rng)
        if self.relative_noise:
            t = t + self.relative_noise * np.abs(t) * generator.standard_normal(t.shape)
        return compress_pca(t, self.layer_dims)

    def _class_inputs_of(self, members: NDArray[np.bool_]) -> FloatArray:
        """Return the class's X~ rows standardised for KSG (the same at every capture: cached)."""
        from infolens.estimators._knn import standardize_knn

        key = members.tobytes()
        if key not in self._class_inputs:
            self._class_inputs[key] = standardize_knn(check_array(self.inputs[members]))
        return self._class_inputs[key]

    def _class_information(self, members: NDArray[np.bool_], t_y: FloatArray, what: str) -> float:
        """I(X~;T~ | Y = y): KSG (k neighbours, columns standardised) on the class's rows.

        KSG rather than three KL entropies: in ``x_dims + layer_dims`` dimensions with the few
        samples of one class, the KL differences are biased by about -0.5 nats at
        independence (8 dims, 60-100 samples), KSG by less than 0.02 (measured; module docs).
        """
        from infolens.estimators._knn import standardize_knn
        from infolens.estimators.ksg import KSGEstimator

        try:
            # KSG standardises each argument on its own: the X~ part is standardised once
            # per class and cached (same values as standardizing at every call)
            t_y = standardize_knn(check_array(t_y, name="t"))
            estimator = KSGEstimator(k=self.k, standardize=False)
            return estimator.mutual_information(self._class_inputs_of(members), t_y).value
        except (InvalidInputError, ValueError) as err:
            raise InvalidInputError(f"LossyCompression ({what}): {err}") from None

    def _per_class(
        self, codes: FloatArray, groups: IntArray, labels: IntArray, counts: IntArray
    ) -> tuple[list[float], list[float]]:
        """Return h(T~ | Y = y) and I(X~;T~ | Y = y) of every class, in the order of ``labels``.

        ``groups`` are the rows' class indices into ``labels``, ``counts`` the class sizes
        (``np.unique(y, return_inverse=True, return_counts=True)``).

        Each class is searched alone, but all in one kernel call per quantity: a group column
        (:func:`~infolens.estimators._knn.group_column`) keeps every neighbour within its
        class, so the values are bit for bit those of :meth:`_entropy` and
        :meth:`_class_information` class by class (tested), which this calls instead for any
        class where a shortcut value would not be defined (a constant column or repeated rows:
        there the estimators raise or break ties).
        """
        from infolens.estimators._knn import group_column, ksg_terms, kth_neighbor, standardize_knn
        from infolens.estimators.kl import kl_entropy

        masks = [groups == g for g in range(len(labels))]
        sizes = counts.astype(np.float64)[groups]
        eps, _ = kth_neighbor(np.hstack([codes, group_column(groups, [codes])]), self.k)
        xs, ts = np.empty_like(self.inputs), np.empty_like(codes)
        for members in masks:
            xs[members] = self._class_inputs_of(members)
            ts[members] = standardize_knn(codes[members])
        column = group_column(groups, [xs, ts])
        terms, rho = ksg_terms(np.hstack([xs, column]), np.hstack([ts, column]), None, k=self.k,
                               n_jobs=-1, backend="auto", sizes=sizes)  # fmt: skip
        entropies, informations = [], []
        for label, members in zip(labels, masks, strict=True):
            block, what = codes[members], f"class {label}"
            if (eps[members] > 0).all() and (np.ptp(block, axis=0) > 0).all():
                entropies.append(float(kl_entropy(eps[members], block.shape[1], self.k, "max")))
            else:
                entropies.append(self._entropy(block, f"{what}, layer"))
            if (rho[members] > 0).all():
                informations.append(float(terms[members].mean()))
            else:
                informations.append(self._class_information(members, block, what))
        return entropies, informations

    def estimate(self, t: FloatArray, y: IntArray, *, rng: RNGLike = None) -> LayerInformation:
        """Return the layer's information in nats; the layer noise is drawn from ``rng``.

        I(X;T) = I(T;Y) + I(X;T|Y) with the conditional term clipped at 0 (module docstring),
        so I(X;T) >= I(T;Y) always; :meth:`details` gives the unclipped terms.
        """
        terms = self._terms(t, y, rng, marginal=False)
        return LayerInformation(terms["i_xt"], terms["i_ty"], terms["i_xt_given_y"])

    def details(self, t: FloatArray, y: IntArray, *, rng: RNGLike = None) -> dict[str, Any]:
        """Return :meth:`estimate`'s values (same ``rng``: same values) and their diagnostics.

        Keys, in nats: ``i_xt``, ``i_ty``, ``i_xt_given_y`` (as :meth:`estimate`),
        ``i_xt_given_y_raw`` (the conditional term before clipping), ``clipped`` (whether it was
        negative) and ``i_xt_marginal`` = h(X~) + h(T~) - h(X~, T~), version 1's I(X;T),
        which ignores the labels and may fall below I(T;Y).

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> y = np.repeat(np.arange(4), 300)
        >>> x = rng.standard_normal((1200, 2))  # a code of X that lost the labels
        >>> t = 10.0 * np.eye(4)[y] + rng.standard_normal((1200, 4))  # a layer that keeps Y
        >>> d = LossyCompression(inputs=x).details(t, y, rng=0)
        >>> bool(d["i_xt"] >= d["i_ty"] > d["i_xt_marginal"] + 1.0)
        True
        """
        return self._terms(t, y, rng, marginal=True)

    def _terms(self, t: FloatArray, y: IntArray, rng: RNGLike, *, marginal: bool) -> dict[str, Any]:
        t, y = check_activations(t, y, owner="LossyCompression")
        if len(t) != len(self.inputs):
            raise InvalidInputError(
                f"LossyCompression needs one row of activations per compressed input: got "
                f"{len(t)} rows of t and {len(self.inputs)} inputs."
            )
        codes = self.compress_layer(t, rng=rng)
        if codes.shape[1] == 0:  # a constant layer: no information
            zero = {"i_xt": 0.0, "i_ty": 0.0, "i_xt_given_y": 0.0, "i_xt_given_y_raw": 0.0}
            return zero | {"clipped": False} | ({"i_xt_marginal": 0.0} if marginal else {})
        labels, groups, counts = np.unique(y, return_inverse=True, return_counts=True)
        small = counts <= self.k
        if small.any():
            raise InvalidInputError(
                f"LossyCompression needs more than k={self.k} samples of every class; class "
                f"{int(labels[small][0])} has {int(counts[small][0])}."
            )
        h_t = self._entropy(codes, "layer")
        entropies, informations = self._per_class(codes, groups, labels, counts)
        h_t_given_y = conditional = 0.0
        for count, h_class, i_class in zip(counts, entropies, informations, strict=True):
            weight = count / len(codes)
            h_t_given_y += weight * h_class
            conditional += weight * i_class
        i_ty, conditional = float(h_t - h_t_given_y), float(conditional)
        clipped = max(conditional, 0.0)  # the sum over classes, not each class's term
        out: dict[str, Any] = {
            "i_xt": i_ty + clipped,
            "i_ty": i_ty,
            "i_xt_given_y": clipped,
            "i_xt_given_y_raw": conditional,
            "clipped": conditional < 0.0,
        }
        if marginal:
            h_x = self._entropy(self.inputs, "inputs")
            h_xt = self._entropy(np.hstack([self.inputs, codes]), "inputs and layer")
            out["i_xt_marginal"] = float(h_x + h_t - h_xt)
        return out


__all__ = ["LossyCompression", "compress_inputs", "compress_pca"]
