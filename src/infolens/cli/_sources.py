"""Reading the data sources the commands take (``infolens estimate``, ``infolens pid``...).

A data source is one of

* ``file.npy``: a NumPy array (loaded with ``allow_pickle=False``: Python objects are refused);
* ``file.npz:key``: one array of a NumPy archive (the key may be left out when the archive
  holds exactly one array);
* ``file.csv`` or ``file.csv:col1,col2``: CSV text, all columns or those named. Whether the
  first row is a header is detected (see :func:`has_header`) unless ``header=`` says so; without
  a header, columns are selected by 0-based position (``file.csv:0,2``). Columns of integers give
  an integer array (``uint64`` or exact strings beyond ``int64``), columns of numbers a float
  array (empty cells are missing values, i.e. NaN); if any selected column holds other text, the
  whole selection is kept as strings (category labels, for methods such as ``plugin``);
* ``file.parquet`` or ``file.parquet:col1,col2``: columns of a Parquet file (needs ``pyarrow``),
  typed as for CSV;
* ``-`` or ``-:col1,col2``: standard input, read as ``.npy`` bytes when it starts with the NumPy
  signature, as an ``.npz`` archive when it starts with the zip signature, as Parquet when it
  starts with ``PAR1``, else as CSV text.
"""

import csv
import io
import sys
from pathlib import Path
from typing import IO, Any

import numpy as np

from infolens.cli._options import STDIN, STDIN_MARK
from infolens.exceptions import InvalidInputError

NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"
PARQUET_MAGIC = b"PAR1"

Array = np.ndarray[Any, Any]


def split_source(spec: str) -> tuple[str, str | None]:
    """Split ``"path:selector"`` into the path and the selector (``None`` when there is none).

    A path that exists as written is never split, so file names may contain colons.

    Examples
    --------
    >>> split_source("data.npz:x")
    ('data.npz', 'x')
    >>> split_source("-")
    ('-', None)
    """
    if spec.startswith(STDIN_MARK + STDIN + ":"):
        return STDIN, spec[len(STDIN_MARK + STDIN + ":") :]
    if spec == STDIN or ":" not in spec or Path(spec).exists():
        return spec, None
    path, _, selector = spec.partition(":")
    return path, selector


def read_source(
    spec: str, *, name: str = "X", stdin: IO[bytes] | None = None, header: bool | None = None
) -> Array:
    """Read the samples named by the data source ``spec`` (see the module docstring).

    Parameters
    ----------
    spec : str
        ``path``, ``path:selector``, ``-`` or ``-:selector``.
    name : str, default="X"
        Role of the data in the command (``"X"``, ``"Y"`` or ``"Z"``), used in error messages.
    stdin : binary file or None, default=None
        Where ``-`` reads from; ``None`` means the process's standard input.
    header : bool or None, default=None
        Whether CSV text starts with a header row; ``None`` detects it (:func:`has_header`).

    Returns
    -------
    numpy.ndarray
        The samples, as stored (``.npy``/``.npz``) or of shape ``(n_samples, n_columns)``
        (CSV, Parquet).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        (:class:`~infolens.exceptions.InvalidInputError`) If the source cannot be parsed, or
        the key or columns it selects do not exist.
    ImportError
        For a Parquet source when ``pyarrow`` is not installed.
    """
    path, selector = split_source(spec)
    if path == STDIN:
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = io.BytesIO(stream.read())
        return _read_stream(data, selector, where=f"{name} (stdin)", header=header)
    where = f"{name} ({path!r})"
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"Cannot read {name}: no such file {path!r}.")
    if file.is_dir():
        raise IsADirectoryError(f"Cannot read {name}: {path!r} is a directory, not a file.")
    with file.open("rb") as handle:
        return _read_stream(
            handle, selector, where=where, suffix=file.suffix.lower(), header=header
        )


def _read_stream(
    stream: IO[bytes],
    selector: str | None,
    *,
    where: str,
    suffix: str = "",
    header: bool | None = None,
) -> Array:
    magic = stream.read(len(NPY_MAGIC))
    stream.seek(0)
    if magic.startswith(NPY_MAGIC):
        if selector is not None:
            raise InvalidInputError(
                f"{where} is a .npy file, which holds a single array; remove the "
                f"':{selector}' selector."
            )
        return _load_array(stream, where=where)
    if magic.startswith(ZIP_MAGIC):
        return _read_npz(stream, selector, where=where)
    if magic.startswith(PARQUET_MAGIC):
        return read_parquet(stream, selector, where=where)
    if suffix in (".npy", ".npz", ".parquet"):
        raise InvalidInputError(
            f"{where} is not a valid {suffix} file (it lacks the {suffix[1:]} signature)."
        )
    if not magic:
        raise InvalidInputError(f"{where} is empty: expected CSV text, or .npy/.npz data.")
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InvalidInputError(
            f"{where} is neither .npy/.npz/.parquet data nor UTF-8 CSV text ({err.reason} at "
            f"byte {err.start})."
        ) from None
    return read_csv(text, selector, where=where, header=header)


def _load_array(stream: IO[bytes], *, where: str) -> Array:
    try:
        array: Array = np.load(stream, allow_pickle=False)
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise InvalidInputError(
                f"{where} holds Python objects (pickled data), which infolens never loads; "
                "save plain numeric or string arrays."
            ) from None
        raise InvalidInputError(f"{where} is not a valid .npy file ({err}).") from None
    except (EOFError, OSError) as err:
        raise InvalidInputError(f"{where} is truncated or corrupt ({err}).") from None
    return array


def _read_npz(stream: IO[bytes], key: str | None, *, where: str) -> Array:
    try:
        archive = np.load(stream, allow_pickle=False)
    except Exception as err:  # zipfile.BadZipFile and friends are not OSError/ValueError
        raise InvalidInputError(f"{where} is not a valid .npz archive ({err}).") from None
    with archive:
        keys = list(archive.files)
        available = ", ".join(repr(k) for k in keys) or "none"
        if key is None:
            if len(keys) != 1:
                raise InvalidInputError(
                    f"{where} holds {len(keys)} arrays; choose one with ':KEY'. "
                    f"Available keys: {available}."
                )
            key = keys[0]
        if key not in keys:
            raise InvalidInputError(
                f"Key {key!r} not found in {where}. Available keys: {available}."
            )
        try:
            array: Array = archive[key]
        except ValueError as err:
            if "allow_pickle" in str(err):
                raise InvalidInputError(
                    f"Key {key!r} of {where} holds Python objects (pickled data), which "
                    "infolens never loads; save plain numeric or string arrays."
                ) from None
            raise InvalidInputError(f"Key {key!r} of {where} is corrupt ({err}).") from None
        except Exception as err:  # zlib.error, BadZipFile (CRC), EOFError of a truncated member
            raise InvalidInputError(
                f"Key {key!r} of {where} is truncated or corrupt ({err})."
            ) from None
        if not isinstance(array, np.ndarray):  # a zip member that is not .npy: raw bytes
            raise InvalidInputError(
                f"Key {key!r} of {where} is not a NumPy array (the archive was not written by "
                "numpy.savez)."
            )
        return array


# --- CSV -------------------------------------------------------------------------------------


def _is_number(cell: str) -> bool:
    if not cell:
        return True  # a missing value in a numeric column
    try:
        float(cell)
    except ValueError:
        return False
    return True


def has_header(rows: list[list[str]]) -> bool:
    """Decide whether the first of ``rows`` (non-blank CSV rows) is a header row.

    * If some column is numeric below the first row and its first cell is not a number, the
      first row names the columns: a header.
    * Else, if some column is numeric below the first row (its first cell then is a number),
      the first row is data.
    * Else every column holds text; the first row is data when each of its cells appears again
      further down its column (a repeated label), and a header otherwise.

    A file that can be read either way (all-text columns, numbers as column names) can be
    stated with ``--header`` / ``--no-header``.

    Examples
    --------
    >>> has_header([["a", "b"], ["1", "2"]]), has_header([["1", "2"], ["3", "4"]])
    (True, False)
    >>> has_header([["red"], ["blue"], ["red"]]), has_header([["colour"], ["red"], ["blue"]])
    (False, True)
    """
    first, rest = rows[0], rows[1:]
    if not rest:
        return not all(_is_number(cell) for cell in first)
    numeric = [all(_is_number(row[c]) for row in rest) for c in range(len(first))]
    if any(num and not _is_number(first[c]) for c, num in enumerate(numeric)):
        return True
    if any(numeric):
        return False
    return not all(any(row[c] == cell for row in rest) for c, cell in enumerate(first))


def read_csv(
    text: str, selector: str | None = None, *, where: str = "X", header: bool | None = None
) -> Array:
    r"""Parse CSV ``text`` into a 2-D array of the selected columns.

    Parameters
    ----------
    text : str
        CSV text.
    selector : str or None, default=None
        Comma-separated column names (0-based positions when there is no header); ``None``
        selects every column.
    where : str, default="X"
        Name of the source, used in error messages.
    header : bool or None, default=None
        Whether the first non-blank row names the columns; ``None`` detects it
        (:func:`has_header`).

    Returns
    -------
    numpy.ndarray of shape (n_samples, n_columns)
        ``int64`` if every cell is an integer (``uint64`` for integers in [2**63, 2**64), exact
        strings beyond), ``float64`` if every cell is a number (empty cells become NaN), else
        the cells as strings.

    Raises
    ------
    ValueError
        (:class:`~infolens.exceptions.InvalidInputError`) If the text is not valid CSV, has no
        data rows, has ragged rows or lacks a column.

    Examples
    --------
    >>> read_csv("a,b\n1,0.5\n2,1.5\n", "b")
    array([[0.5],
           [1.5]])
    >>> read_csv("1,0.5\n2,1.5\n", "0")
    array([[1],
           [2]])
    >>> read_csv("a,b\n1,x\n2,y\n").dtype.kind
    'U'
    """
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if rows and len(row) != len(rows[0]):
                raise InvalidInputError(
                    f"{where}: CSV line {reader.line_num} has {len(row)} fields; the first row "
                    f"has {len(rows[0])}."
                )
            rows.append([cell.strip() for cell in row])
    except csv.Error as err:
        raise InvalidInputError(
            f"{where} is not valid CSV (line {reader.line_num}: {err})."
        ) from None
    if not rows:
        raise InvalidInputError(f"{where} is empty: expected CSV text.")
    if header is None:
        header = has_header(rows)
    if header:
        names, rows = rows[0], rows[1:]
        if not rows:
            raise InvalidInputError(f"{where} has a CSV header but no data rows.")
    else:
        names = [str(i) for i in range(len(rows[0]))]
    indices = list(range(len(names)))
    if selector is not None:
        wanted = [part.strip() for part in selector.split(",")]
        available = ", ".join(repr(n) for n in names)
        missing = [n for n in wanted if n not in names]
        if missing:
            kind = "columns" if header else "columns (no header: 0-based positions)"
            raise InvalidInputError(
                f"Column(s) {', '.join(repr(n) for n in missing)} not found in {where}. "
                f"Available {kind}: {available}."
            )
        indices = [names.index(n) for n in wanted]
    return typed_columns([[row[i] for i in indices] for row in rows])


def typed_columns(cells: list[list[str]]) -> Array:
    """Return the table of text ``cells`` as integers, floats or strings (see :func:`read_csv`).

    Integers stay exact: ``int64``, else ``uint64`` when all are in [0, 2**64), else strings.

    Examples
    --------
    >>> typed_columns([[str(2**63)], ["1"]]).dtype
    dtype('uint64')
    >>> typed_columns([[str(2**64)], ["-1"]]).dtype.kind
    'U'
    """
    try:
        ints = [[int(cell) for cell in row] for row in cells]
    except ValueError:
        pass
    else:
        flat = [value for row in ints for value in row]
        if all(-(2**63) <= v < 2**63 for v in flat):
            return np.array(ints, dtype=np.int64)
        if all(0 <= v < 2**64 for v in flat):
            return np.array(ints, dtype=np.uint64)
        return np.array([[str(v) for v in row] for row in ints], dtype=str)
    try:
        return np.array([[float(c) if c else float("nan") for c in row] for row in cells])
    except ValueError:
        return np.array(cells, dtype=str)


# --- Parquet ---------------------------------------------------------------------------------


def read_parquet(source: IO[bytes] | str, selector: str | None = None, *, where: str) -> Array:
    """Read the selected columns of a Parquet file into a 2-D array, typed as for CSV.

    Raises
    ------
    ImportError
        If ``pyarrow`` is not installed.
    ValueError
        (:class:`~infolens.exceptions.InvalidInputError`) If the file is not valid Parquet or
        lacks a column.
    """
    try:
        import pyarrow.parquet as pq  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise ImportError(
            f"Reading {where} (Parquet) needs pyarrow: pip install pyarrow.", name="pyarrow"
        ) from None
    try:
        table = pq.read_table(source)
    except Exception as err:  # pyarrow.ArrowInvalid and friends
        raise InvalidInputError(f"{where} is not a valid Parquet file ({err}).") from None
    names = [str(n) for n in table.column_names]
    wanted = names if selector is None else [p.strip() for p in selector.split(",")]
    missing = [n for n in wanted if n not in names]
    if missing:
        raise InvalidInputError(
            f"Column(s) {', '.join(repr(n) for n in missing)} not found in {where}. "
            f"Available columns: {', '.join(repr(n) for n in names)}."
        )
    if table.num_rows == 0:
        raise InvalidInputError(f"{where} has no rows.")
    columns = [np.asarray(table.column(n).to_numpy(zero_copy_only=False)) for n in wanted]
    kinds = {c.dtype.kind for c in columns}
    if kinds <= {"i", "u", "b"}:
        return np.column_stack(columns)
    if kinds <= {"i", "u", "b", "f"}:
        return np.column_stack([c.astype(np.float64) for c in columns])
    return np.column_stack([c.astype(str) for c in columns])


__all__ = [
    "has_header",
    "read_csv",
    "read_parquet",
    "read_source",
    "split_source",
    "typed_columns",
]
