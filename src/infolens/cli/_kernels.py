"""The one-time notice before the k-NN kernels are compiled.

The k-NN estimators run numba kernels that are compiled on first use (about 20 s) and then
cached on disk (``__pycache__`` beside the module, or ``$NUMBA_CACHE_DIR``). Before a command
runs a k-NN method, :func:`notify_if_compiling` prints one line when that cache holds none of
the kernels yet, so the first call does not look hung.
"""

from pathlib import Path

#: Methods that never run the k-NN kernels (closed forms, counting, Gram matrices); every other
#: method (``auto`` included) may, and the neural ones (the torch extra) do not.
NO_KNN_METHODS = frozenset(
    {"binning", "cauchy_schwarz", "gaussian", "gaussian_copula", "matrix_renyi", "miller_madow",
     "plugin"}
)  # fmt: skip
NOTICE = "Compiling the k-NN kernels (once, ~20 s)..."


def may_use_knn(method: str) -> bool:
    """Return whether ``method`` may run the compiled k-NN kernels.

    Examples
    --------
    >>> may_use_knn("ksg"), may_use_knn("auto"), may_use_knn("gaussian"), may_use_knn("infonce")
    (True, True, False, False)
    """
    from infolens.estimators.registry import REGISTRY

    if method in NO_KNN_METHODS:
        return False
    record = REGISTRY.get(method)
    return record is None or record.extra is None


def kernel_index_files() -> list[Path]:
    """Return the cache index file of every compiled k-NN kernel (present or not).

    Imports the kernel module (and numba), which does not compile anything.
    """
    from infolens.estimators import _knn_numba

    paths: list[Path] = []
    for value in vars(_knn_numba).values():
        cache = getattr(value, "_cache", None)
        index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
        if index is not None:
            paths.append(Path(index))
    return paths


def kernels_cached(index_files: list[Path] | None = None) -> bool:
    """Return whether some k-NN kernel is in the on-disk cache (a fresh cache has none).

    Parameters
    ----------
    index_files : list of Path or None, default=None
        The index files to look for; ``None`` asks numba (:func:`kernel_index_files`).
    """
    files = kernel_index_files() if index_files is None else index_files
    return any(path.exists() for path in files)


def notify_if_compiling(methods: list[str]) -> bool:
    """Print the compile notice if one of ``methods`` is a k-NN method and the cache is fresh.

    Returns
    -------
    bool
        Whether the notice was printed.
    """
    from infolens.cli._output import print_notice

    if not any(may_use_knn(m) for m in methods) or kernels_cached():
        return False
    print_notice(NOTICE)
    return True
