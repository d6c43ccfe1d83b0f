"""Accumulators reduce across a two-process torch.distributed gloo group on the CPU."""

import json
import time
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
from torch.multiprocessing.spawn import start_processes

from infolens.metrics import RateReduction, rate_reduction, uniformity
from tests.streaming._dist_worker import data, run

pytestmark = pytest.mark.skipif(
    not (dist.is_available() and dist.is_gloo_available()),
    reason="torch.distributed with the gloo backend is not available in this build",
)


def test_two_process_gloo_equals_one_pass(tmp_path: Path) -> None:
    # fork: the children reuse the imported torch and infolens (spawn re-imports them, ~10 s)
    context = start_processes(  # type: ignore[no-untyped-call]
        run,
        args=(str(tmp_path / "init"), str(tmp_path)),
        nprocs=2,
        join=False,
        start_method="fork",
    )
    deadline = time.monotonic() + 120
    while not context.join(timeout=1):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            pytest.fail("the two gloo processes did not finish within 120 s")
    z, labels = data()
    truth = float(rate_reduction(z, labels, eps_squared=0.5, n_classes=2))
    results = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    for result in results:
        assert result["rate_reduction"] == pytest.approx(truth, rel=1e-12)
        assert result["uniformity"] == pytest.approx(float(uniformity(z)), rel=1e-12)
        assert result["n_seen_after"] in (15, 22)  # local states restored after the sync
    # without the sync each process sees only its shard
    local = RateReduction(dim=3, n_classes=2, eps_squared=0.5)
    local.update(z[:15], labels[:15])
    assert results[0]["local"] == pytest.approx(float(local.compute()), rel=1e-12)
    assert results[0]["local"] != pytest.approx(truth, rel=1e-6)
    assert torch.isfinite(torch.tensor(truth))
