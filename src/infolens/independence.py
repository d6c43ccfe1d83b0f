"""Permutation tests of independence, I(X; Y) = 0, and conditional independence, I(X; Y | Z) = 0.

:func:`independence_test` uses any MI / CMI method of the registry (or HSIC) as the statistic and
builds its null distribution from surrogates:

* **unconditional** (``z=None``): the rows of ``y`` are shuffled, which keeps both marginals and
  destroys the dependence;
* **conditional**: a *local* permutation of ``x`` within neighbourhoods of ``z`` (Runge [1]_):
  each sample draws, without replacement where possible, the ``x`` of one of its ``k_perm``
  nearest neighbours in Z (itself included), so the null keeps the X–Z (and Y–Z) dependence and
  only breaks X–Y given Z. A global shuffle would not: it tests I(X; Y, Z) instead.

The p-value is ``(1 + #{null >= observed}) / (1 + n_permutations)``, valid at every sample size
and never zero [2]_. Surrogates are batched: the data are validated and standardised once, and
for KSG / mixed k-NN MI the neighbour structures of the two marginal spaces (a sorted order in
1-D, a k-d tree otherwise), which a permutation of ``y`` leaves unchanged, are built once and
reused; the compiled kernels use every core. With ``scheduler=`` the permutations are spread
over a Dask cluster in chunks whose randomness is fixed in advance, so the result does not
depend on the scheduler.

References
----------
.. [1] J. Runge, "Conditional independence testing based on a nearest-neighbor estimator of
   conditional mutual information", AISTATS 2018 (PMLR 84).
.. [2] B. Phipson, G. K. Smyth, "Permutation p-values should never be zero", Stat. Appl. Genet.
   Mol. Biol. 9 (2010).
"""

import contextlib
import dataclasses
import importlib
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, final

import numba as nb
import numpy as np
from numpy.typing import NDArray
from scipy.special import digamma

from infolens._estimate import Estimate
from infolens._typing import ArrayLike, FloatArray, IntArray, Quantity, RNGLike
from infolens._validation import check_array, check_int, check_rng
from infolens.auto import choose_method
from infolens.estimators._base import Estimator
from infolens.estimators.registry import make_estimator
from infolens.exceptions import InvalidParameterError, MissingExtraError

SCHEDULERS = ("serial", "threads", "processes")
CHUNK = 50
"""Permutations per unit of work (a Dask task)."""
_KNN_METHODS = frozenset({"ksg", "mixed_knn", "frenzel_pompe", "kl"})
_OWNER = "independence_test"


@final
@dataclass(frozen=True, kw_only=True, eq=False)
class IndependenceTestResult:
    """The outcome of :func:`independence_test`.

    Attributes
    ----------
    statistic : Estimate
        The statistic on the data (nats for MI/CMI methods; dimensionless for ``"hsic"``).
    p_value : float
        ``(1 + #{null >= statistic}) / (1 + n_permutations)``.
    null_distribution : numpy.ndarray of shape (n_permutations,)
        The statistic on each surrogate, in the units of ``statistic``.
    method : str
        The statistic's method (``"auto"`` resolved).
    n_permutations : int
        Number of surrogates.
    permutation : {"global", "local"}
        Shuffle of ``y`` (unconditional test) or local permutation of ``x`` within
        Z-neighbourhoods (conditional test).
    k_perm : int or None
        Neighbours of each sample in Z among which it permutes (local permutation only).
    """

    statistic: Estimate
    p_value: float
    null_distribution: FloatArray
    method: str
    n_permutations: int
    permutation: str
    k_perm: int | None = None


# -- surrogate generators ------------------------------------------------------------------


@nb.njit(cache=True)
def _local_permutation(neighbors: IntArray, order: IntArray) -> IntArray:  # pragma: no cover
    """Assign each sample (visited in ``order``) the first unused index of its neighbour row.

    ``neighbors`` rows are already in random order; when every neighbour is used, the first
    one is taken (drawing with replacement, as in Runge 2018).
    """
    n, width = neighbors.shape
    used = np.zeros(n, dtype=np.bool_)
    perm = np.empty(n, dtype=np.intp)
    for i in order:
        choice = neighbors[i, 0]
        for j in range(width):
            candidate = neighbors[i, j]
            if not used[candidate]:
                choice = candidate
                break
        perm[i] = choice
        used[choice] = True
    return perm


@nb.njit(cache=True, nogil=True, parallel=True)
def _shuffled(seeds: IntArray, n: int) -> IntArray:  # pragma: no cover
    """One uniformly random permutation of ``range(n)`` per seed (Fisher-Yates, in parallel).

    Each permutation depends only on its seed (numba's per-thread generator is seeded before
    each draw), so the result does not depend on the number of threads.
    """
    perms = np.empty((len(seeds), n), dtype=np.intp)
    for b in nb.prange(len(seeds)):
        np.random.seed(seeds[b] % 2**32)  # noqa: NPY002 - numba compiles only this API
        row = np.arange(n)
        np.random.shuffle(row)  # noqa: NPY002
        perms[b] = row
    return perms


def local_permutation(neighbors: IntArray, rng: np.random.Generator) -> IntArray:
    """Return one local permutation given each sample's neighbourhood (itself included).

    Examples
    --------
    >>> neighbors = np.array([[0, 1], [1, 0], [2, 3], [3, 2]])
    >>> perm = local_permutation(neighbors, np.random.default_rng(0))
    >>> sorted(perm[:2].tolist()), sorted(perm[2:].tolist())  # stays inside each pair
    ([0, 1], [2, 3])
    """
    keys = rng.random(neighbors.shape)
    shuffled = np.take_along_axis(neighbors, np.argsort(keys, axis=1), axis=1)
    return np.asarray(
        _local_permutation(np.ascontiguousarray(shuffled), rng.permutation(len(neighbors)))
    )


# -- statistics under a permutation ---------------------------------------------------------


LIST_MAX_SAMPLES = 50_000
"""Largest sample whose sorted marginal neighbour lists are built (all pairs: O(N^2), about a
minute at this size on two cores); beyond, each surrogate of a multivariate KSG / mixed test runs
the estimator (a fresh joint search). The 1 + 1 grid has no such limit."""
SURROGATE_MEMORY = 2**30
"""Bytes the sorted marginal neighbour lists of the k-NN surrogates may take (beyond them, the
samples whose walk leaves the lists are searched by brute force: slower, same result)."""


def _batchable(x: FloatArray, y: FloatArray) -> bool:
    """Whether the batched k-NN surrogates suit these marginals (else: the estimator each time).

    Not when a value (row) repeats more than ``sqrt(2 N)`` times in either space: the grid's
    cells and the sorted lists would then hold whole groups of ties at distance zero, which the
    estimator's sort-based tie handling counts far faster (a constant feature against a label
    at N = 1,000,000); nor for multivariate samples beyond :data:`LIST_MAX_SAMPLES`.
    """
    from infolens.estimators._knn import duplicate_counts

    n = len(x)
    if max(float(duplicate_counts(a).max()) for a in (x, y)) > math.sqrt(2.0 * n):
        return False
    return x.shape[1] + y.shape[1] == 2 or n <= LIST_MAX_SAMPLES


class _KNNMutualInformation:
    """KSG-1 / mixed k-NN I(X; Y[perm]) of many permutations, the marginal work done once.

    The marginal spaces do not change under a permutation of ``y``: their sorted neighbour
    lists (or, in one dimension each, the sorted samples and a rank grid of the plane) are
    built once, and each surrogate only searches the joint space
    (:mod:`infolens.estimators._surrogates_numba`; the ``"torch"`` backend runs all pairs on
    the device instead). The counting is that of :func:`infolens.estimators._knn.ksg_terms`:
    every surrogate equals the estimator on ``(x, y[perm])`` bit for bit. For ``ksg``, a
    permutation whose joint neighbours tie at distance zero is left to the estimator itself
    (which adds noise to break them).
    """

    def __init__(self, estimator: Estimator, x: FloatArray, y: FloatArray) -> None:
        from infolens.estimators import _knn

        self.estimator, self.x, self.y = estimator, x, y
        self.k: int = estimator.k  # type: ignore[attr-defined]
        self.n_jobs: int = estimator.n_jobs  # type: ignore[attr-defined]
        backend: str = estimator.backend  # type: ignore[attr-defined]
        self.kind = _knn.resolve_backend(backend, x.shape[1] + y.shape[1])
        self.mixed = estimator.name == "mixed_knn"
        n = len(x)
        self.psi = np.asarray(digamma(np.arange(n + 1, dtype=np.float64)))
        self.prepared: Any = None
        self.brute_searched = 0  # samples the last batch searched by brute force

    def _prepare(self) -> Any:
        from infolens.estimators import _knn, _surrogates_numba

        x, y, n = self.x, self.y, len(self.x)
        if self.kind == "torch":
            return None, ()
        if x.shape[1] == 1 and y.shape[1] == 1:
            x_rank = np.empty(n, dtype=np.intp)
            y_rank = np.empty(n, dtype=np.intp)
            x_order, y_order = np.argsort(x[:, 0]), np.argsort(y[:, 0])
            x_rank[x_order], y_rank[y_order] = np.arange(n), np.arange(n)
            side = max(1, math.isqrt(n - 1) + 1)  # ~1 sample a cell (measured best)
            return _surrogates_numba.grid_terms, (
                x[x_order, 0],
                x_rank,
                y[y_order, 0],
                y_rank,
                side,
            )
        # Lists long enough for the lock-step walk (about twice the smaller marginal count) of
        # nearly every sample of a pilot permutation, within the memory budget; counts that run
        # past a list are taken by the marginal k-d trees, walks that do by brute force.
        pilot = np.random.default_rng(0).permutation(n)
        _, counts = _knn.neighbor_counts(
            [x, y[pilot]], [(0,), (1,)], k=self.k, n_jobs=self.n_jobs, backend=self.kind
        )
        walk = 2.0 * float(np.quantile(np.minimum(*counts), 0.999))
        affordable = SURROGATE_MEMORY // (2 * n * (8 + 4))
        m = int(min(n - 1, max(4 * self.k + 16, walk), max(self.k, affordable)))
        # the tree kernels take the tree without its permutation (queries are given directly)
        trees = [t[:3] + t[4:] for t in (_knn._tree(_knn._as_points(a)) for a in (x, y))]
        with _knn._threads(self.n_jobs):
            lists = [_surrogates_numba.marginal_lists(a, m) for a in (x, y)]
        return _surrogates_numba.list_terms, (x, y, *lists[0], *lists[1], *trees)

    def batch(self, perms: IntArray) -> FloatArray:
        """Return the statistic under each row of ``perms``."""
        from infolens.estimators import _knn

        if self.prepared is None:
            self.prepared = self._prepare()
        kernel, structures = self.prepared
        perms = np.ascontiguousarray(perms, dtype=np.intp)
        if kernel is None:  # torch: all pairs on the device
            from infolens.estimators import _knn_torch

            terms, tied, brute = _knn_torch.surrogate_terms(
                self.x, self.y, perms, self.k, self.mixed, self.psi, self.n_jobs, _knn.MEMORY_BUDGET
            )
        else:
            with _knn._threads(self.n_jobs):
                terms, tied, brute = kernel(*structures, perms, self.k, self.mixed, self.psi)
        self.brute_searched = int(brute.sum())
        values = np.array([row.mean() for row in terms])
        for b in np.flatnonzero(tied):  # ksg: ties at distance zero, broken by the estimator
            values[b] = _call(self.estimator, "mutual_information", [self.x, self.y[perms[b]]])
        return values

    def __call__(self, perm: IntArray | None) -> float:
        identity = np.arange(len(self.x)) if perm is None else perm
        return float(self.batch(identity[None, :])[0])

    def __getstate__(self) -> dict[str, Any]:  # the structures are rebuilt where they are used
        return {**self.__dict__, "prepared": None}


def _call(estimator: Estimator, quantity: str, arrays: list[Any]) -> float:
    """Run the estimator, silencing the per-surrogate warnings (the data's were shown)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result: Estimate = getattr(estimator, quantity)(*arrays, rng=_SURROGATE_RNG)
    return result.value


_SURROGATE_RNG = 0  # tie-breaking noise inside surrogates: fixed, so results are reproducible


@dataclass(eq=False)
class _Statistic:
    """The statistic as a function of a permutation (of ``y``, or of ``x`` given ``z``)."""

    function: Callable[[IntArray | None], float]
    n: int
    neighbors: IntArray | None = None  # Z-neighbourhoods of a local permutation

    def surrogates(self, seed: np.random.SeedSequence, count: int) -> FloatArray:
        rng = np.random.default_rng(seed)
        if self.neighbors is None:  # drawn on every core, each from its own seed
            from infolens.estimators._knn import _threads

            with _threads(-1):
                perms = _shuffled(rng.integers(2**63, size=count), self.n)
        else:
            perms = np.array([local_permutation(self.neighbors, rng) for _ in range(count)])
        batch = getattr(self.function, "batch", None)
        if batch is not None:
            return np.asarray(batch(perms), dtype=np.float64)
        return np.array([self.function(perm) for perm in perms])


def _permuted(
    estimator: Estimator, quantity: str, arrays: list[Any], index: int
) -> Callable[[IntArray | None], float]:
    def function(perm: IntArray | None) -> float:
        data = list(arrays)
        if perm is not None:
            data[index] = data[index][perm]
        return _call(estimator, quantity, data)

    return function


def _prepare_information(
    method: str, quantity: Quantity, data: list[Any], params: dict[str, Any]
) -> tuple[Estimator, list[Any], Callable[[IntArray | None], float]]:
    """Return the estimator, its prepared data and the statistic of a permutation."""
    estimator = make_estimator(method, quantity, **params)
    arrays = [np.asarray(a) for a in data]
    if estimator.name in _KNN_METHODS:
        from infolens.estimators._knn import standardize_knn

        arrays = [check_array(a, name=name) for a, name in zip(arrays, "xyz", strict=False)]
        if getattr(estimator, "standardize", False):  # once, not per surrogate
            arrays = [standardize_knn(a) for a in arrays]
            estimator = dataclasses.replace(estimator, standardize=False)  # type: ignore[type-var]
        if (
            quantity == "mutual_information"
            and estimator.name in ("ksg", "mixed_knn")
            and getattr(estimator, "variant", 1) == 1
            and _batchable(arrays[0], arrays[1])
        ):
            return estimator, arrays, _KNNMutualInformation(estimator, *arrays)
    index = 1 if quantity == "mutual_information" else 0
    if estimator.name in ("gaussian", "gaussian_copula"):
        return estimator, arrays, _GaussianInformation(estimator, arrays, index)
    return estimator, arrays, _permuted(estimator, quantity, arrays, index)


class _GaussianInformation:
    """Gaussian (copula) I(X; Y | Z) of permuted data from canonical correlations.

    The estimator's value is ``-1/2 sum ln(1 - r_i^2)`` over the (partial) canonical
    correlations plus a bias correction that depends only on the dimensions and ``n``, the same
    for every surrogate; it is measured once, at the identity. Normal scores (copula) are
    computed once: ranks move with the rows.
    """

    def __init__(self, estimator: Estimator, arrays: list[Any], index: int) -> None:
        quantity = "mutual_information" if len(arrays) == 2 else "conditional_mutual_information"
        blocks = [check_array(a, name=name) for a, name in zip(arrays, "xyz", strict=False)]
        value = _call(estimator, quantity, blocks)
        if estimator.name == "gaussian_copula":
            from infolens.estimators.gaussian_copula import normal_scores

            blocks = [normal_scores(b) for b in blocks]
        self.blocks, self.index = blocks, index
        self.offset = 0.0
        self.offset = value - self(None)

    def __call__(self, perm: IntArray | None) -> float:
        from infolens.uncertainty import canonical_correlations

        blocks = list(self.blocks)
        if perm is not None:
            blocks[self.index] = blocks[self.index][perm]
        z = blocks[2] if len(blocks) == 3 else None
        r = canonical_correlations(blocks[0], blocks[1], z)
        return float(-0.5 * np.log1p(-(np.minimum(r, 1.0 - 1e-16) ** 2)).sum()) + self.offset


def _z_neighbors(z: FloatArray, k_perm: int, n: int) -> IntArray:
    from infolens.estimators._knn import kth_neighbor, standardize_knn

    if k_perm >= n:
        raise InvalidParameterError(
            f"The 'k_perm' parameter of {_OWNER} must be smaller than the number of samples "
            f"({n}). Got {k_perm} instead."
        )
    _, neighbors = kth_neighbor(standardize_knn(z), k_perm, n_jobs=-1)
    return np.ascontiguousarray(np.column_stack([np.arange(n), neighbors]), dtype=np.intp)


def _hsic_statistic(
    x: ArrayLike, y: ArrayLike, params: dict[str, Any]
) -> tuple[Estimate, Callable[[IntArray | None], float], int]:
    from infolens.kernel import center_gram, gaussian_gram, hsic

    observed = hsic(x, y, **params)
    xa, ya = check_array(x, name="x"), check_array(y, name="y")
    n = len(xa)
    settings = dict(observed.params)
    wx, wy = float(settings["sigma_x"]), float(settings["sigma_y"])
    if settings["estimator"] == "biased" and n <= 2000:
        kc = center_gram(gaussian_gram(xa, sigma=wx))
        lc = center_gram(gaussian_gram(ya, sigma=wy))
        scale = float(n * n if settings["normalizer"] == "1/n^2" else (n - 1) ** 2)

        def dense(perm: IntArray | None) -> float:
            lp = lc if perm is None else lc[np.ix_(perm, perm)]
            return float(np.einsum("ij,ij->", kc, lp)) / scale

        return observed, dense, n
    fixed = {**params, "sigma_x": wx, "sigma_y": wy}

    def blocked(perm: IntArray | None) -> float:
        return hsic(xa, ya if perm is None else ya[perm], **fixed).value

    return observed, blocked, n


# -- running the surrogates ------------------------------------------------------------------


def _check_scheduler(scheduler: str | None) -> str:
    scheduler = scheduler or "serial"
    if isinstance(scheduler, str) and ("://" in scheduler or scheduler in SCHEDULERS):
        return scheduler
    raise InvalidParameterError(
        f"Unknown scheduler {scheduler!r}. Available: 'serial', 'threads', 'processes' or a "
        "dask scheduler address 'tcp://host:port'."
    )


def _surrogate_chunk(
    statistic: _Statistic, seed: np.random.SeedSequence, count: int
) -> NDArray[np.float64]:
    return statistic.surrogates(seed, count)


@contextlib.contextmanager
def _dask_client(scheduler: str, n_workers: int | None) -> Iterator[tuple[Any, Any]]:
    """Yield ``dask.distributed`` and a client of `scheduler` (an address or a local kind)."""
    try:
        distributed: Any = importlib.import_module("dask.distributed")
    except ImportError:
        raise MissingExtraError(
            f"The {scheduler!r} scheduler needs dask.distributed: pip install 'infolens[dask]'."
        ) from None
    with contextlib.ExitStack() as stack:
        if "://" in scheduler:
            client = stack.enter_context(distributed.Client(scheduler))
        else:
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=n_workers,
                    threads_per_worker=1,
                    processes=scheduler == "processes",
                    dashboard_address=":0",  # never collide with a running cluster
                )
            )
            client = stack.enter_context(distributed.Client(cluster))
        yield distributed, client


def _null_distribution(
    statistic: _Statistic,
    n_permutations: int,
    rng: np.random.Generator,
    scheduler: str,
    n_workers: int | None,
) -> FloatArray:
    counts = [min(CHUNK, n_permutations - s) for s in range(0, n_permutations, CHUNK)]
    seeds = np.random.SeedSequence(int(rng.integers(2**63))).spawn(len(counts))
    if scheduler == "serial":
        parts = [statistic.surrogates(s, c) for s, c in zip(seeds, counts, strict=True)]
        return np.concatenate(parts)
    with _dask_client(scheduler, n_workers) as (_, client):
        shared = client.scatter(statistic, broadcast=True)
        futures = client.map(_surrogate_chunk, [shared] * len(counts), seeds, counts, pure=False)
        return np.concatenate(client.gather(futures))


def independence_test(
    x: ArrayLike,
    y: ArrayLike,
    z: ArrayLike | None = None,
    *,
    method: str = "auto",
    n_permutations: int = 1000,
    rng: RNGLike = None,
    k_perm: int | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    **params: Any,
) -> IndependenceTestResult:
    """Permutation test of I(X; Y) = 0, or of I(X; Y | Z) = 0 when ``z`` is given.

    Parameters
    ----------
    x, y : array-like of shape (n_samples,) or (n_samples, dim)
        Paired samples.
    z : array-like of shape (n_samples,) or (n_samples, dim_z), default=None
        Conditioning samples: test conditional independence with a local permutation of ``x``
        within the ``k_perm``-neighbourhoods of ``z`` (module docstring).
    method : str, default="auto"
        The statistic: any registry method estimating MI (or CMI, with ``z``), ``"auto"`` (the
        rule of :func:`infolens.auto.choose_method`), or ``"hsic"``
        (:func:`infolens.kernel.hsic`, unconditional only).
    n_permutations : int, default=1000
        Number of surrogates (>= 1); the smallest possible p-value is ``1 / (1 + n)``.
    rng : int, numpy.random.Generator or None, default=None
        Source of the permutations; the same seed gives the same p-value under every scheduler.
    k_perm : int or None, default=None
        Neighbours in Z (besides the sample itself) among which ``x`` is permuted; only with
        ``z`` (``None``: 5). Giving it without ``z`` is an error, as it would be ignored.
    scheduler : {"serial", "threads", "processes"}, "tcp://host:port" or None, default=None
        Where the surrogates run: here (``None``/``"serial"``), or on a dask.distributed cluster
        (local threads or processes, or an existing scheduler), in chunks of :data:`CHUNK`.
    n_workers : int or None, default=None
        Workers of a local Dask cluster.
    **params
        Parameters of the statistic's estimator (e.g. ``k=5``) or of HSIC (``sigma_x``...).

    Returns
    -------
    IndependenceTestResult
        Statistic (in nats, or dimensionless for HSIC), p-value and null distribution.

    Raises
    ------
    InvalidParameterError
        For ``n_permutations < 1``, a bad ``k_perm`` or scheduler, HSIC with ``z``, or
        parameters the method does not take.
    UnsupportedQuantityError
        If the method does not estimate MI (or CMI).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(300)
    >>> dependent = x**2 + 0.5 * rng.standard_normal(300)
    >>> independence_test(x, dependent, method="ksg", n_permutations=99, rng=1).p_value
    0.01
    >>> other = np.random.default_rng(1).standard_normal(300)
    >>> independence_test(x, other, method="ksg", n_permutations=99, rng=1).p_value > 0.05
    True
    """
    n_perm = check_int(n_permutations, name="n_permutations", owner=_OWNER)
    if z is None and k_perm is not None:
        raise InvalidParameterError(
            f"The 'k_perm' parameter of {_OWNER} applies only to a conditional test (with z); "
            f"got k_perm={k_perm!r} without z."
        )
    generator = check_rng(rng)
    scheduler = _check_scheduler(scheduler)
    if n_workers is not None:
        check_int(n_workers, name="n_workers", owner=_OWNER)
    neighbors = None
    if method == "hsic":
        if z is not None:
            raise InvalidParameterError(
                f"method='hsic' of {_OWNER} tests unconditional independence only; for "
                "I(X; Y | Z) = 0 use a CMI method (e.g. method='frenzel_pompe')."
            )
        observed, function, n = _hsic_statistic(x, y, params)
        name = "hsic"
    else:
        quantity: Quantity = "mutual_information" if z is None else "conditional_mutual_information"
        data = [x, y] if z is None else [x, y, z]
        name = choose_method(quantity, data)[0] if method == "auto" else method
        neighbours_in_z = check_int(5 if k_perm is None else k_perm, name="k_perm", owner=_OWNER)
        import infolens

        compute = getattr(infolens, quantity)
        estimator, _, function = _prepare_information(name, quantity, data, params)
        if "n_jobs" not in params and hasattr(estimator, "n_jobs"):  # as the surrogates run
            params = {**params, "n_jobs": estimator.n_jobs}
        observed = compute(*data, method=name, rng=generator, **params)
        n = observed.n_samples
        if z is not None:
            neighbors = _z_neighbors(check_array(z, name="z"), neighbours_in_z, n)
    statistic = _Statistic(function=function, n=n, neighbors=neighbors)
    value = function(None)  # the observed value on the same footing as the surrogates
    null = _null_distribution(statistic, n_perm, generator, scheduler, n_workers)
    p_value = (1.0 + float((null >= value).sum())) / (1.0 + n_perm)
    return IndependenceTestResult(
        statistic=observed,
        p_value=p_value,
        null_distribution=null,
        method=name,
        n_permutations=n_perm,
        permutation="global" if neighbors is None else "local",
        k_perm=None if neighbors is None else neighbours_in_z,
    )
