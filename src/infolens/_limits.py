"""Refusing absurd sizes up front: the memory a request needs, against the memory of the machine.

A sample size such as ``n=10**14`` or a seed range such as ``0-100000000000`` would end in a
``MemoryError`` or an endless loop. The benchmark, the discrete tables (PID, plug-in pmfs) and
the CLI check them before doing anything and say how much memory they would need, in the message
of an :class:`~infolens.exceptions.InvalidParameterError`.
"""

import os

from infolens.exceptions import InvalidParameterError

#: Bytes per float64 value.
FLOAT_BYTES = 8
#: Bytes the runner holds per cell of the grid (its spec, its key, its record): measured with
#: ``tracemalloc`` at about 0.8-1.3 KiB per run, so 1 KiB is a lower bound of the real cost.
RUN_BYTES = 1024
#: Bytes per parsed seed (a Python int in a list and in the set that removes repeats).
SEED_BYTES = 100

_UNITS = ("bytes", "KB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")


def format_bytes(size: float) -> str:
    """Return ``size`` bytes in decimal units (one decimal below 10, none above).

    Examples
    --------
    >>> format_bytes(1.6e15), format_bytes(512), format_bytes(8.4e9), format_bytes(8e11)
    ('1.6 PB', '512 bytes', '8.4 GB', '800 GB')
    """
    value = float(size)
    for unit in _UNITS:
        if value < 999.5 or unit == _UNITS[-1]:
            digits = 1 if value < 9.95 and unit != "bytes" else 0
            return f"{value:.{digits}f} {unit}"
        value /= 1000.0
    raise AssertionError("unreachable")  # pragma: no cover


def format_count(count: int) -> str:
    """Return ``count`` as ``10**k`` when it is a large power of ten, else with separators.

    Examples
    --------
    >>> format_count(10**14), format_count(123456789)
    ('10**14', '123,456,789')
    """
    text = str(count)
    if count >= 10**6 and text == "1" + "0" * (len(text) - 1):
        return f"10**{len(text) - 1}"
    return f"{count:,}"


def physical_memory() -> int:
    """Return the physical memory of this machine in bytes (1 TiB when it cannot be read)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):  # pragma: no cover - non-POSIX systems
        return 2**40


def check_memory(needed: float, *, what: str, advice: str) -> None:
    """Raise :class:`InvalidParameterError` when ``needed`` bytes exceed the physical memory.

    Examples
    --------
    >>> check_memory(8 * 10**6, what="n=10**6 samples", advice="Choose a smaller n.")  # fits
    """
    available = physical_memory()
    if needed > available:
        raise InvalidParameterError(
            f"{what} would need ~{format_bytes(needed)} of memory; this machine has "
            f"{format_bytes(available)}. {advice}"
        )


def check_sample_memory(n: int, columns: int, *, owner: str) -> None:
    """Refuse ``n`` samples of ``columns`` float64 columns that cannot fit in memory.

    The message reads, for ``n=10**14`` and two columns: "The 'n' parameter of SplitMultinormal
    is too large: n=10**14 samples of 2 float64 columns would need ~1.6 PB of memory; this
    machine has 25 GB. Choose a smaller n."
    """
    check_memory(
        float(n) * columns * FLOAT_BYTES,
        what=(
            f"The 'n' parameter of {owner} is too large: n={format_count(n)} samples of "
            f"{columns} float64 column{'s' if columns != 1 else ''}"
        ),
        advice="Choose a smaller n.",
    )
