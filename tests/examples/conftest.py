"""One torch thread for the neural tests: the networks are tiny, and on a shared 2-core machine
intra-op threads cost more than they gain (3-10x slower under load). The value is unchanged."""

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def _single_torch_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
