"""Lossy-compression layer estimator: known-MI images and maps, identity, bad input."""

import math

import numpy as np
import pytest

from infolens.benchmark.samplers.images import GaussianBlobs, gaussian_latent
from infolens.benchmark.samplers.normal import CorrelatedPairs
from infolens.exceptions import InvalidInputError, InvalidParameterError
from infolens.infoplane.lossy import LossyCompression, compress_inputs
from infolens.infoplane.registry import layer_estimator

N = 2000


def _linear_task(mi: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A 2+2-D Gaussian latent pair with MI ``mi``, X as 64 'pixels', T as a 32-unit layer."""
    rng = np.random.default_rng(seed)
    if mi == 0:
        a, b = rng.standard_normal((N, 2)), rng.standard_normal((N, 2))
    else:
        a, b = CorrelatedPairs(dim=2, mi=mi).sample(N, rng)
    return a @ rng.standard_normal((2, 64)), b @ rng.standard_normal((2, 32)) + 1.0


def test_tracks_the_truth_over_0_to_10_nats_on_injective_maps() -> None:
    # Injective linear maps preserve the MI exactly; PCA(2) of each side recovers the latent span.
    # With one class, I(X;T) is KSG of the whole sample. Stated tolerance (measured at n = 2000,
    # k = 5: errors 0.00 / 0.00 / -0.07 / -0.60 at 0 / 1 / 2.5 / 5 nats; version 1, three KL
    # entropies: 0.03 / 0.03 / -0.05 / -0.56): |error| <= 0.15 + 0.12 * truth up to 5 nats;
    # above, the k-NN estimates saturate (5.36 at 7.5, 5.73 at 10 nats): the estimate keeps
    # increasing, stays below the truth, and exceeds 5 nats.
    y = np.zeros(N, dtype=int)
    estimates = {}
    for mi in (0.0, 1.0, 2.5, 5.0, 7.5, 10.0):
        x, t = _linear_task(mi, seed=int(10 * mi))
        est = LossyCompression(inputs=compress_inputs(x, 2, method="pca"), layer_dims=2)
        estimates[mi] = est.estimate(t, y, rng=1).i_xt
    for mi in (0.0, 1.0, 2.5, 5.0):
        assert abs(estimates[mi] - mi) <= 0.15 + 0.12 * mi, estimates
    assert estimates[5.0] < estimates[7.5] < estimates[10.0] < 10.0
    assert estimates[7.5] > 5.0


def test_blob_images_give_a_lower_bound_close_to_the_truth() -> None:
    # Butakov et al.'s Gaussian blobs (16x16, infolens.benchmark.samplers.images): the log image
    # is affine in (centre, |centre|^2); PCA to 2 dims keeps most of the centre. Measured:
    # 0.98 / 2.29 / 4.12 nats at truth 1 / 2.5 / 5 (version 1: 0.92 / 2.24 / 4.12): within 25 %
    # below the truth (a lower bound,
    # as data processing requires for a lossy compression, up to k-NN noise of ~0.1).
    rng = np.random.default_rng(0)
    for mi in (1.0, 2.5, 5.0):
        sampler = GaussianBlobs(mi=mi)
        u, v = sampler.sample_latents(N, rng=1)
        x = np.log(sampler.render(u))
        t = gaussian_latent(v) @ rng.standard_normal((2, 32))
        est = LossyCompression(inputs=compress_inputs(x, 2, method="pca"), layer_dims=2)
        value = est.estimate(t, np.zeros(N, dtype=int), rng=0).i_xt
        assert 0.75 * mi <= value <= mi + 0.1


def test_label_information_with_discrete_y() -> None:
    # Four well separated classes: I(T;Y) = H(Y) = ln 4; I(X;T) = I(T;Y) + I(X;T|Y).
    rng = np.random.default_rng(2)
    y = np.repeat(np.arange(4), 500)
    t = np.eye(4)[y] * 20.0 + rng.standard_normal((2000, 4))
    x = t[:, :2] + rng.standard_normal((2000, 2))
    info = LossyCompression(inputs=x, layer_dims=4).estimate(t, y, rng=0)
    assert info.i_ty == pytest.approx(math.log(4), abs=0.05)
    assert info.i_xt_given_y == pytest.approx(info.i_xt - info.i_ty, abs=1e-12)


def _deep_layer_task(seed: int, n: int = 1000, classes: int = 10) -> tuple[np.ndarray, ...]:
    """X: 4 wide nuisance dims + 2 narrow label dims (64 'pixels'); T keeps Y and nothing else.

    PCA(4) of X keeps the nuisance and loses the label, as an autoencoder's code of a digit
    can; T (32 units) is a function of Y plus noise independent of X, so I(X;T) = I(T;Y) and
    I(X;T|Y) = 0 exactly, and I(T;Y) ~ H(Y) = ln 10 (the classes are far apart).
    """
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(classes), n // classes)
    nuisance = 5.0 * rng.standard_normal((n, 4))
    label = 0.3 * (rng.standard_normal((classes, 2))[y] + 0.1 * rng.standard_normal((n, 2)))
    x = np.hstack([nuisance, label]) @ rng.standard_normal((6, 64))
    t = 10.0 * np.eye(classes)[y] @ rng.standard_normal((classes, 32))
    return compress_inputs(x, 4, method="pca"), t + rng.standard_normal((n, 32)), y


def test_data_processing_holds_in_a_deep_layer_where_version_1_broke_it() -> None:
    # Version 1's I(X~;T~) (details["i_xt_marginal"], three KL entropies) came out at -9.1 /
    # -8.6 nats against I(T;Y) = 2.31 on seeds 0 / 1: 11 nats below, impossible for Y - X - T.
    # Version 2 (chain rule): I(X;T) = 2.31-2.32 = I(T;Y) + (0.012 / 0 clipped from -0.008).
    for seed in (0, 1):
        codes, t, y = _deep_layer_task(seed)
        d = LossyCompression(inputs=codes).details(t, y, rng=0)
        assert d["i_xt_marginal"] < d["i_ty"] - 5.0  # the failure of version 1, still there
        assert d["i_xt"] >= d["i_ty"]  # by construction
        assert d["i_ty"] == pytest.approx(math.log(10), abs=0.05)
        assert d["i_xt"] == pytest.approx(math.log(10), abs=0.1)  # the truth: I(X;T) = I(T;Y)
        assert 0.0 <= d["i_xt_given_y"] <= 0.05  # the truth: 0 (KSG within 0.02 of it)
        assert d["clipped"] == (d["i_xt_given_y_raw"] < 0)
        assert d["i_xt_given_y"] == max(0.0, d["i_xt_given_y_raw"])
        info = LossyCompression(inputs=codes).estimate(t, y, rng=0)
        assert (info.i_xt, info.i_ty, info.i_xt_given_y) == (
            d["i_xt"],
            d["i_ty"],
            d["i_xt_given_y"],
        )


def test_conditional_term_recovers_known_information_beyond_the_labels() -> None:
    # A code X~ = a that lost the label; T = (Y far apart, b) with I(a; b) = 1 nat independent
    # of Y: I(X~;T~|Y) = 1 and I((X~, Y); T~) = ln 4 + 1. Measured (n = 2000, 4 seeds):
    # conditional 0.91-0.96 (KSG is biased down), I(T;Y) 1.387 (ln 4 = 1.386); version 1:
    # I(X~;T~) = -1.9 to -2.2 nats, below I(T;Y).
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(4), N // 4)
    a, b = CorrelatedPairs(dim=2, mi=1.0).sample(N, rng)
    t = np.hstack([10.0 * np.eye(4)[y], 3.0 * b]) @ rng.standard_normal((6, 16))
    info = LossyCompression(inputs=a, layer_dims=5).estimate(t, y, rng=0)
    assert info.i_ty == pytest.approx(math.log(4), abs=0.05)
    assert 0.8 <= info.i_xt_given_y <= 1.05
    assert info.i_xt == pytest.approx(info.i_ty + info.i_xt_given_y, abs=1e-12)


def test_identity_rng_and_registry() -> None:
    x = np.random.default_rng(0).standard_normal((300, 2))
    est = LossyCompression(inputs=x)
    assert est.identity() == (
        "lossy_compression/v2?inputs=" + est.inputs_digest + "&x_dims=2&x_method=given"
        "&layer_dims=4&k=5&relative_noise=0.001"
    )
    assert LossyCompression(inputs=x + 1e-9).identity() != est.identity()
    assert layer_estimator("lossy_compression", inputs=x).identity() == est.identity()
    t = np.random.default_rng(1).standard_normal((300, 6))
    y = np.arange(300) % 3
    assert est.estimate(t, y, rng=3) == est.estimate(t, y, rng=3)
    assert est.estimate(t, y, rng=3) != est.estimate(t, y, rng=4)  # the layer noise


def test_autoencoder_compression_runs_and_is_seeded() -> None:
    x = np.random.default_rng(0).standard_normal((200, 12))
    a = compress_inputs(x, 3, epochs=20, rng=1)
    assert a.shape == (200, 3)
    np.testing.assert_allclose(a.std(axis=0), 1.0)
    np.testing.assert_array_equal(a, compress_inputs(x, 3, epochs=20, rng=1))
    assert LossyCompression.from_inputs(x, x_dims=3, epochs=5).x_method == "autoencoder"


def test_bad_input_is_a_clear_error() -> None:
    x = np.random.default_rng(0).standard_normal((50, 2))
    est = LossyCompression(inputs=x)
    with pytest.raises(InvalidInputError, match="50 inputs"):
        est.estimate(np.ones((40, 3)), np.zeros(40, dtype=int))
    with pytest.raises(ValueError, match="NaN"):
        est.estimate(np.full((50, 3), np.nan), np.zeros(50, dtype=int))
    with pytest.raises(InvalidInputError, match="more than k=5 samples"):
        est.estimate(np.random.default_rng(1).standard_normal((50, 3)), np.arange(50) % 20)
    with pytest.raises(InvalidParameterError, match="'relative_noise'"):
        LossyCompression(inputs=x, relative_noise=-1e-3)
    with pytest.raises(InvalidParameterError, match="'layer_dims'"):
        LossyCompression(inputs=x, layer_dims=0)
    with pytest.raises(InvalidParameterError, match="method"):
        compress_inputs(x, 2, method="umap")  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(6))
def test_all_classes_in_one_search_equal_each_class_alone_bit_for_bit(seed: int) -> None:
    # The per-class terms come from one grouped search (LossyCompression._per_class); the
    # reference is the estimators called class by class, as version 2 was first written.
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 1 + seed, 300)
    y[: 7 * (1 + seed)] = np.repeat(np.arange(1 + seed), 7)  # every class has more than k rows
    x = rng.standard_normal((300, 3))
    t = np.tanh(x[:, :1] @ rng.standard_normal((1, 12)) + 0.5 * y[:, None])
    t += 0.3 * rng.standard_normal(t.shape)
    est = LossyCompression(inputs=x, relative_noise=0.0)
    codes = est.compress_layer(t, rng=0)
    if seed % 2:
        codes = np.round(codes, 1)  # lattice codes: the per-class standardisation snaps them
    labels, groups, counts = np.unique(y, return_inverse=True, return_counts=True)
    entropies, informations = est._per_class(codes, groups, labels, counts)
    for label, h, i in zip(labels, entropies, informations, strict=True):
        members = y == label
        assert h == est._entropy(codes[members], "reference")
        assert i == est._class_information(members, codes[members], "reference")


def test_a_class_with_repeated_rows_raises_as_the_class_by_class_estimate_did() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 40)
    t = rng.standard_normal((120, 4))
    t[40:48] = t[40]  # eight copies in class 1: its KL entropy is undefined
    est = LossyCompression(inputs=rng.standard_normal((120, 2)), relative_noise=0.0)
    codes = est.compress_layer(t)
    with pytest.raises(InvalidInputError, match=r"class 1, layer\): Input x has repeated"):
        est._per_class(codes, y, np.arange(3), np.bincount(y))
    with pytest.raises(InvalidInputError, match=r"class 1, layer\): Input x has repeated"):
        est._entropy(codes[y == 1], "class 1, layer")
