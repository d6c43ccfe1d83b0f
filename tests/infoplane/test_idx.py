"""MNIST IDX loader on small IDX files written by the test; missing and malformed files."""

from pathlib import Path

import numpy as np
import pytest

from infolens.exceptions import InvalidInputError
from infolens.infoplane.idx import MNIST_FILES, load_mnist, read_idx, write_idx


def _folder(tmp_path: Path, n: int = 7, gz: bool = False) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 5, 4), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    suffix = ".gz" if gz else ""
    for split in ("train", "test"):
        write_idx(tmp_path / (MNIST_FILES[(split, "images")] + suffix), images)
        write_idx(tmp_path / (MNIST_FILES[(split, "labels")] + suffix), labels)
    return images, labels


@pytest.mark.parametrize("gz", [False, True])
def test_round_trip(tmp_path: Path, gz: bool) -> None:
    images, labels = _folder(tmp_path, gz=gz)
    x, y = load_mnist(tmp_path, "test")
    assert x.shape == (7, 5, 4)
    assert x.dtype == np.float64
    np.testing.assert_array_equal(np.round(x * 255).astype(np.uint8), images)
    np.testing.assert_array_equal(y, labels)


def test_header_bytes_are_the_standard_ones(tmp_path: Path) -> None:
    write_idx(tmp_path / "a", np.zeros((2, 3), dtype=np.uint8))
    raw = (tmp_path / "a").read_bytes()
    assert raw[:4] == b"\x00\x00\x08\x02"
    assert raw[4:12] == (2).to_bytes(4, "big") + (3).to_bytes(4, "big")
    assert len(raw) == 12 + 6


def test_missing_folder_and_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="does not exist"):
        load_mnist(tmp_path / "nope")
    with pytest.raises(InvalidInputError, match="t10k-images-idx3-ubyte.*not found"):
        load_mnist(tmp_path)
    with pytest.raises(InvalidInputError, match="does not exist"):
        read_idx(tmp_path / "x")


def test_malformed_files(tmp_path: Path) -> None:
    _folder(tmp_path)
    images = tmp_path / MNIST_FILES[("test", "images")]
    good = images.read_bytes()
    images.write_bytes(good[:-3])  # truncated data
    with pytest.raises(InvalidInputError, match="truncated or not IDX"):
        load_mnist(tmp_path)
    images.write_bytes(b"PK\x03\x04" + good[4:])  # not IDX (a zip's magic)
    with pytest.raises(InvalidInputError, match="not an IDX file"):
        load_mnist(tmp_path)
    images.write_bytes(good[:2] + b"\x0d" + good[3:])  # float data
    with pytest.raises(InvalidInputError, match="type 0x0d"):
        load_mnist(tmp_path)
    images.write_bytes(b"\x00\x00\x08\x03\x00")  # truncated header
    with pytest.raises(InvalidInputError, match="truncated IDX header"):
        load_mnist(tmp_path)
    (tmp_path / "bad.gz").write_bytes(b"not gzip at all")
    with pytest.raises(InvalidInputError, match="not a readable gzip"):
        read_idx(tmp_path / "bad.gz")
    images.write_bytes(good)
    write_idx(tmp_path / MNIST_FILES[("test", "labels")], np.zeros(3, dtype=np.uint8))
    with pytest.raises(InvalidInputError, match="disagree"):
        load_mnist(tmp_path)
