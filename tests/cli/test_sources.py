"""Data sources (:mod:`infolens.cli._sources`): header detection, exact integers, bad files."""

import io
import pickle
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from infolens.cli._sources import has_header, read_csv, read_source, typed_columns
from infolens.exceptions import InvalidInputError

# --- header detection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "header"),
    [
        pytest.param("a,b\n1,2\n3,4\n", True, id="names-over-numbers"),
        pytest.param("1,2\n3,4\n5,6\n", False, id="numbers-only"),
        pytest.param("0.5,1e-3\n-2,3\n", False, id="floats-only"),
        pytest.param("x,label\n1,red\n2,blue\n", True, id="names-over-mixed"),
        pytest.param("1,red\n2,blue\n3,red\n", False, id="mixed-data"),
        pytest.param("colour\nred\ngreen\nred\n", True, id="name-over-labels"),
        pytest.param("red\ngreen\nred\n", False, id="labels-repeating-first"),
        pytest.param("a,b\n1,\n,2\n", True, id="names-over-missing-values"),
        pytest.param("7\n", False, id="one-number"),
    ],
)
def test_has_header_detects_the_header_row(text: str, header: bool) -> None:
    rows = [line.split(",") for line in text.splitlines()]
    assert has_header(rows) is header


def test_header_less_csv_keeps_its_first_row() -> None:
    array = read_csv("1.5,2\n3.5,4\n5.5,6\n")
    np.testing.assert_array_equal(array, [[1.5, 2], [3.5, 4], [5.5, 6]])
    np.testing.assert_array_equal(read_csv("1.5,2\n3.5,4\n", "1"), [[2.0], [4.0]])


def test_header_option_overrides_the_detection() -> None:
    # numbers as column names can only be read as a header when asked for
    assert read_csv("10,20\n1,2\n", header=True).tolist() == [[1, 2]]
    assert read_csv("10,20\n1,2\n", "20", header=True).tolist() == [[2]]
    assert read_csv("a,b\n1,2\n", header=False).tolist() == [["a", "b"], ["1", "2"]]


def test_without_header_columns_are_selected_by_position() -> None:
    with pytest.raises(
        InvalidInputError,
        match=re.escape(
            "Column(s) 'a' not found in X. Available columns (no header: 0-based positions): "
            "'0', '1'."
        ),
    ):
        read_csv("1,2\n3,4\n", "a")


# --- exact integers --------------------------------------------------------------------------


def test_integers_beyond_int64_stay_exact() -> None:
    big = [2**63 + i for i in range(10)]
    array = read_csv("label\n" + "\n".join(map(str, big)) + "\n")
    assert array.dtype == np.uint64
    assert [int(v) for v in array.ravel()] == big  # ten distinct labels, none merged
    beyond = typed_columns([[str(2**64)], [str(-1)]])
    assert beyond.tolist() == [[str(2**64)], ["-1"]]  # exact, as labels
    assert typed_columns([["-3"], ["4"]]).dtype == np.int64


def test_ten_huge_labels_have_entropy_ln_10() -> None:
    import infolens

    labels = read_csv("\n".join(str(2**63 + 7 * i) for i in range(10)) + "\n")
    est = infolens.entropy(labels, method="plugin")
    assert est.value == pytest.approx(np.log(10), abs=1e-12)


# --- files that are not what they claim ------------------------------------------------------


def test_pickled_npy_is_refused_without_loading_it(tmp_path: Path) -> None:
    path = tmp_path / "objects.npy"
    np.save(path, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(InvalidInputError, match="holds Python objects .pickled data."):
        read_source(str(path))


def test_a_raw_pickle_named_npy_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.npy"
    path.write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(InvalidInputError, match=re.escape("is not a valid .npy file")):
        read_source(str(path))


def test_truncated_npz_is_one_clear_error(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, x=np.arange(1000.0))
    path = tmp_path / "cut.npz"
    path.write_bytes(buffer.getvalue()[:300])
    with pytest.raises(InvalidInputError, match=re.escape(f"X ({str(path)!r})")):
        read_source(str(path))


def test_npz_with_a_pickled_member_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mixed.npz"
    np.savez(path, ok=np.arange(3), bad=np.array([object()], dtype=object))
    with pytest.raises(InvalidInputError, match="holds Python objects"):
        read_source(f"{path}:bad")
    assert read_source(f"{path}:ok").tolist() == [0, 1, 2]


def test_random_bytes_are_not_csv(tmp_path: Path) -> None:
    path = tmp_path / "noise.csv"
    path.write_bytes(bytes(np.random.default_rng(0).integers(128, 256, 64, dtype=np.uint8)))
    with pytest.raises(InvalidInputError, match="neither .npy/.npz/.parquet data nor UTF-8"):
        read_source(str(path))


def test_zip_that_is_not_npz(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(InvalidInputError, match="'readme.txt' of X .* is not a NumPy array"):
        read_source(str(path))


def test_parquet_columns_or_an_install_hint(tmp_path: Path) -> None:
    try:
        import pyarrow as pa  # type: ignore[import-not-found, unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        path = tmp_path / "t.parquet"
        path.write_bytes(b"PAR1" + bytes(16) + b"PAR1")
        with pytest.raises(ImportError, match=re.escape("needs pyarrow: pip install pyarrow")):
            read_source(f"{path}:a")
        return
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"a": [1, 2, 3], "b": [0.5, 1.5, 2.5], "c": ["x", "y", "x"]}), path)
    assert read_source(f"{path}:a").tolist() == [[1], [2], [3]]
    assert read_source(f"{path}:a,b").tolist() == [[1.0, 0.5], [2.0, 1.5], [3.0, 2.5]]
    assert read_source(f"{path}:c").dtype.kind == "U"
    with pytest.raises(InvalidInputError, match=re.escape("Column(s) 'q' not found")):
        read_source(f"{path}:q")
