"""Image samplers: injective maps (images -> latents exactly), MI from the latent pair, shapes."""

import numpy as np
import pytest
from scipy.special import ndtri

from infolens.benchmark.samplers.images import IMAGE_MI_GRID, GaussianBlobs, Rectangles
from infolens.benchmark.suite_accuracy import IMAGE_TASKS, truth
from infolens.estimators.gaussian import GaussianEstimator


@pytest.mark.parametrize("mi", [0.1, 5.0, 10.0])
def test_blob_images_determine_their_latent_exactly(mi: float) -> None:
    # Injectivity: the centre is read back from the pixels to rounding error, and distinct
    # latents give distinct images.
    sampler = GaussianBlobs(mi=mi)
    u, v = sampler.sample_latents(2000, rng=0)
    for latent in (u, v):
        images = sampler.render(latent)
        np.testing.assert_allclose(sampler.recover(images), latent, atol=1e-9)
    assert np.unique(sampler.render(u).round(12), axis=0).shape[0] == 2000


@pytest.mark.parametrize("mi", [0.1, 5.0, 10.0])
def test_rectangle_images_determine_their_latent_exactly(mi: float) -> None:
    sampler = Rectangles(mi=mi)
    u, v = sampler.sample_latents(2000, rng=1)
    for latent in (u, v):
        corners = sampler.corners(latent)
        assert np.all(corners[:, 1] - corners[:, 0] >= 2.0 - 1e-12)  # minimum side 2 px
        assert np.all(corners[:, 3] - corners[:, 2] >= 2.0 - 1e-12)
        assert np.all((corners >= 0.0) & (corners <= sampler.size))
        recovered = sampler.recover(sampler.render(corners))
        np.testing.assert_allclose(recovered, corners, atol=1e-9)
        np.testing.assert_allclose(sampler.latents_of(recovered), latent, atol=1e-8)


@pytest.mark.parametrize("sampler_cls", [GaussianBlobs, Rectangles])
def test_truth_is_the_mi_of_the_latent_pair(sampler_cls: type) -> None:
    # The latents are normal CDFs of correlated Gaussian pairs; back on the Gaussian scale
    # their MI is estimated without bias by the Gaussian estimator (sd ~ sqrt(d rho^2 / N)).
    for mi in (1.0, 5.0):
        sampler = sampler_cls(mi=mi)
        u, v = sampler.sample_latents(20_000, rng=2)
        est = GaussianEstimator().mutual_information(ndtri(u), ndtri(v)).value
        assert est == pytest.approx(sampler.mutual_information(), abs=0.03)


def test_samples_are_images_with_the_declared_shape_and_range() -> None:
    blobs, rects = GaussianBlobs(mi=2.5), Rectangles(mi=2.5)
    bx, by = blobs.sample(10, rng=3)
    rx, ry = rects.sample(10, rng=3)
    assert bx.shape == by.shape == (10, 256)
    assert rx.shape == ry.shape == (10, 1024)
    assert bx.min() > 0.0
    assert bx.max() <= 1.0
    assert rx.min() == 0.0
    assert rx.max() == 1.0
    np.testing.assert_array_equal(blobs.sample(10, rng=3)[0], bx)  # seeded


def test_image_tasks_cover_the_grid() -> None:
    assert [truth(t) for t in IMAGE_TASKS] == list(IMAGE_MI_GRID) * 2
    assert {t.dim_x for t in IMAGE_TASKS} == {256, 1024}


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="The 'mi' parameter of GaussianBlobs must be a float > 0"):
        GaussianBlobs(mi=0.0)
    with pytest.raises(ValueError, match=r"The 'size' parameter of Rectangles must be an int"):
        Rectangles(mi=1.0, size=3)
