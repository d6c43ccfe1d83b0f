"""Read MNIST from a folder of the standard IDX files (numpy only; nothing is downloaded).

IDX (LeCun et al.): a big-endian header of two zero bytes, a type code (``0x08`` unsigned
byte), the number of dimensions, then one 4-byte size per dimension, then the data. MNIST's
files are ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``
and ``t10k-labels-idx1-ubyte``, optionally gzipped (``.gz``).
"""

import gzip
from pathlib import Path

import numpy as np

from infolens._typing import FloatArray, IntArray
from infolens.exceptions import InvalidInputError

#: The four MNIST files, by split and kind.
MNIST_FILES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}
_UBYTE = 0x08


def read_idx(path: str | Path) -> np.ndarray:
    """Return the unsigned-byte array stored in the IDX file ``path`` (``.gz`` read as gzip).

    Raises
    ------
    InvalidInputError
        If the file is missing, is not IDX (bad magic), holds another type than unsigned
        bytes, or is shorter or longer than its header says.
    """
    file = Path(path)
    if not file.is_file():
        raise InvalidInputError(f"The IDX file {str(file)!r} does not exist.")
    try:
        raw = gzip.decompress(file.read_bytes()) if file.suffix == ".gz" else file.read_bytes()
    except (OSError, EOFError) as err:
        raise InvalidInputError(f"{file} is not a readable gzip file ({err}).") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise InvalidInputError(
            f"{file} is not an IDX file: it must start with two zero bytes, a type code and the "
            f"number of dimensions; got {raw[:4]!r}."
        )
    if raw[2] != _UBYTE:
        raise InvalidInputError(
            f"{file}: only unsigned-byte IDX data (type 0x08) are supported; got type "
            f"0x{raw[2]:02x}."
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise InvalidInputError(f"{file}: truncated IDX header ({len(raw)} bytes, {ndim} dims).")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise InvalidInputError(
            f"{file}: the header announces shape {shape} ({expected} bytes of data) but the file "
            f"holds {len(raw) - header} bytes of data (truncated or not IDX)."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _find(folder: Path, stem: str) -> Path:
    for candidate in (folder / stem, folder / f"{stem}.gz", folder / stem.replace("-idx", ".idx")):
        if candidate.is_file():
            return candidate
    raise InvalidInputError(
        f"MNIST file {stem!r} (or {stem}.gz) not found in {str(folder)!r}. The folder must hold "
        f"the four standard IDX files: {', '.join(MNIST_FILES.values())}."
    )


def load_mnist(folder: str | Path, split: str = "test") -> tuple[FloatArray, IntArray]:
    """Return MNIST ``split`` ("train" or "test") from ``folder``: images in [0, 1], labels.

    Images have shape ``(n, 28, 28)`` (whatever the files say: the size is read from the
    header), float64 scaled by 1/255; labels are integers. Raises
    :class:`~infolens.exceptions.InvalidInputError` for a missing folder or file, a malformed
    file, or image and label counts that differ.
    """
    base = Path(folder)
    if not base.is_dir():
        raise InvalidInputError(f"The MNIST folder {str(base)!r} does not exist.")
    if split not in ("train", "test"):
        raise InvalidInputError(
            f"The 'split' of load_mnist must be 'train' or 'test'; got {split!r}."
        )
    images = read_idx(_find(base, MNIST_FILES[(split, "images")]))
    labels = read_idx(_find(base, MNIST_FILES[(split, "labels")]))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise InvalidInputError(
            f"MNIST {split} files in {base} disagree: images of shape {images.shape} (expected "
            f"(n, rows, cols)) and labels of shape {labels.shape} (expected (n,))."
        )
    return images.astype(np.float64) / 255.0, labels.astype(np.intp)


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write an unsigned-byte array as an IDX file (gzip when ``path`` ends in ``.gz``)."""
    data = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, _UBYTE, data.ndim]) + b"".join(
        int(s).to_bytes(4, "big") for s in data.shape
    )
    payload = header + data.tobytes()
    file = Path(path)
    file.write_bytes(gzip.compress(payload) if file.suffix == ".gz" else payload)


__all__ = ["MNIST_FILES", "load_mnist", "read_idx", "write_idx"]
