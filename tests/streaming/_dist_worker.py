"""Worker of the two-process gloo test (importable, so torch.multiprocessing can spawn it)."""

import json
from pathlib import Path

import torch
import torch.distributed as dist


def data() -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(7)
    z = torch.randn(37, 3, generator=gen, dtype=torch.float64)
    labels = torch.randint(0, 2, (37,), generator=gen)
    return z, labels


def run(rank: int, init_file: str, out_dir: str) -> None:
    from infolens.metrics import RateReduction, Uniformity

    torch.set_num_threads(1)  # forked children: no intra-op pool inherited from the parent
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=2)
    try:
        z, labels = data()
        shard = slice(0, 15) if rank == 0 else slice(15, 37)  # unequal shards
        metric = RateReduction(dim=3, n_classes=2, eps_squared=0.5)
        uniform = Uniformity()
        for start in range(shard.start, shard.stop, 6):
            stop = min(start + 6, shard.stop)
            metric.update(z[start:stop], labels[start:stop])
            uniform.update(z[start:stop])
        synced = float(metric.compute())
        local = RateReduction(dim=3, n_classes=2, eps_squared=0.5, sync_on_compute=False)
        local.update(z[shard], labels[shard])
        result = {
            "rate_reduction": synced,
            "uniformity": float(uniform.compute()),
            "local": float(local.compute()),
            "n_seen_after": metric.n_seen,
        }
        Path(out_dir, f"rank{rank}.json").write_text(json.dumps(result))
    finally:
        dist.destroy_process_group()
