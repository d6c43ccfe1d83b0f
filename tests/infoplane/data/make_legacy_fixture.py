"""How ``legacy_tracker/`` and ``legacy_tishby/`` were made: with infolens at commit 4f7d421.

Run once, BEFORE the layer-estimator refactor (issue 12), from the repository root::

    .venv/bin/python tests/infoplane/data/make_legacy_fixture.py

It is kept for the record only; the API it calls (``estimator_key``, ``KNNEntropy(seed=...)``,
values in bits) is the pre-refactor one. Everything is imported inside ``main`` so that pytest's
doctest collection never runs it.
"""


def main() -> None:
    """Write the two legacy runs beside this file."""
    import shutil
    from pathlib import Path

    import numpy as np
    import torch
    from torch import nn

    from infolens.infoplane import (
        AdaptiveBinning,
        FixedBinning,
        GaussianNoiseBound,
        InformationPlane,
        KDEBound,
        KNNEntropy,
        PlaneStore,
        RangeBinning,
    )
    from infolens.infoplane.reproduce import reproduce
    from infolens.infoplane.tracker import estimate_saved

    here = Path(__file__).resolve().parent
    # 1. A tracker run: online estimators on 6 epochs, post-hoc ones stopped after 3 of them.
    out = here / "legacy_tracker"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    generator = torch.Generator().manual_seed(0)
    model = nn.Sequential(
        nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3), nn.ReLU(), nn.Linear(3, 2), nn.Softmax(dim=1)
    )
    for p in model.parameters():
        with torch.no_grad():
            p.copy_(torch.randn(p.shape, generator=generator))
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((64, 4)).astype(np.float32))
    y = (x[:, 0] > 0).long().numpy()
    np.savez(out / "probe.npz", x=x.numpy(), y=y)
    online = [FixedBinning(), KDEBound(), KNNEntropy(), GaussianNoiseBound(), AdaptiveBinning()]
    with PlaneStore(out / "records.db") as store:
        with InformationPlane(
            model,
            layers=["1", "3", "5"],
            inputs=x,
            labels=y,
            estimators=online,
            store=store,
            run_id="legacy",
            seed=0,
            activations_dir=out / "activations",
        ) as plane:
            for epoch in range(6):
                plane.step(epoch)
                with torch.no_grad():
                    model[0].weight.mul_(1.3)  # type: ignore[operator]
                    model[2].weight.add_(0.2)  # type: ignore[operator]
        estimate_saved(
            out / "activations",
            y,
            [RangeBinning(n_edges=10), RangeBinning(n_edges=8, scope="layer"), FixedBinning()],
            store=store,
            run_id="legacy-posthoc",
            seed=1,
            epochs=[0, 1, 2],  # "killed" after three epochs
        )
    # 2. A finished reproduction (records, summary, checkpoint; activations dropped for size).
    data = here.parents[3] / "shared" / "data" / "var_u.mat"
    tishby = here / "legacy_tishby"
    shutil.rmtree(tishby, ignore_errors=True)
    reproduce("tishby", epochs=3, seeds=1, out=tishby, data=data, n_jobs=1)
    shutil.rmtree(tishby / "tanh-seed0" / "activations")
    for name in ("report.html", "plane.png"):
        (tishby / name).unlink()


if __name__ == "__main__":
    main()
