"""Mutual information of each feature with a target, for scikit-learn users.

:func:`feature_mutual_information` estimates I(X_j; y) for every column ``X_j`` of a feature
matrix with any infolens estimator; :func:`mi_scores` and :func:`make_mi_scorer` give the same
scores in the shape scikit-learn's ``SelectKBest(score_func=...)`` and pipelines expect.

``method="auto"`` picks per column, by this rule (deterministic, no added noise):

* the column and the target are both discrete → ``"miller_madow"`` (plug-in MI with the
  Miller–Madow bias correction);
* otherwise (one or both continuous) → ``"mixed_knn"`` (Gao et al.'s k-NN estimator, ``k = 3``:
  on continuous data without repeated values it equals KSG, i.e. scikit-learn's
  ``mutual_info_regression``; repeated values and discrete columns are handled exactly).

A column is *discrete* when ``discrete_features`` says so, or, under ``"auto"``, when it holds
integers, booleans, strings or categories (floats are continuous). The target likewise, with
``discrete_target``. Discrete values are encoded as integer codes before estimating, so strings
and pandas categories work with every method.

Examples
--------
>>> import numpy as np
>>> from infolens.feature_selection import feature_mutual_information
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((2000, 3))
>>> y = X[:, 0] + 0.5 * rng.standard_normal(2000)       # only column 0 is informative
>>> scores = feature_mutual_information(X, y, rng=0)
>>> scores.shape, int(scores.argmax()), bool(scores[1:].max() < 0.05)
((3,), 0, True)
"""

import dataclasses
from typing import Any, final

import numpy as np
from numpy.typing import NDArray

from infolens._typing import ArrayLike, RNGLike, Units
from infolens._validation import check_array, check_categorical, check_consistent_length
from infolens.estimators.registry import get_estimator_class
from infolens.exceptions import InfolensError, InvalidInputError, InvalidParameterError
from infolens.functional import mutual_information

__all__ = ["MIScorer", "feature_mutual_information", "make_mi_scorer", "mi_scores"]

_DISCRETE_KINDS = "biuOUS"
_AUTO_DISCRETE = "miller_madow"
_AUTO_MIXED = "mixed_knn"

DiscreteSpec = str | bool | ArrayLike


def _is_pandas(data: object, kind: str) -> bool:
    cls = type(data)
    return cls.__module__.split(".")[0] == "pandas" and cls.__name__ == kind


def _columns(X: ArrayLike) -> tuple[list[np.ndarray[Any, Any]], list[Any] | None]:
    """Return the columns of ``X`` as 1-D arrays (their own dtypes), and pandas labels."""
    if _is_pandas(X, "DataFrame"):
        labels = list(X.columns)
        return [X.iloc[:, j].to_numpy() for j in range(X.shape[1])], labels
    if hasattr(X, "toarray") and type(X).__module__.split(".")[0] == "scipy":
        raise InvalidInputError(
            "Input X is a scipy sparse matrix; feature_mutual_information needs dense data: "
            "pass X.toarray()."
        )
    array = np.asarray(X) if not hasattr(X, "detach") else check_array(X, name="X")
    if array.ndim != 2:
        hint = " (one feature: pass X.reshape(-1, 1))" if array.ndim == 1 else ""
        raise InvalidInputError(
            f"Input X must be 2-D (n_samples, n_features){hint}; got a {array.ndim}-D array "
            f"of shape {array.shape}."
        )
    return [array[:, j] for j in range(array.shape[1])], None


def _target(y: ArrayLike) -> np.ndarray[Any, Any]:
    values = y.to_numpy() if _is_pandas(y, "Series") else np.asarray(y)
    if _is_pandas(y, "DataFrame") or values.ndim == 2:
        shape = values.shape
        if len(shape) == 2 and shape[1] == 1:
            return values[:, 0]
        raise InvalidInputError(
            f"Input y must be one target of shape (n_samples,); got shape {shape}. Estimate "
            "each target separately, or use infolens.mutual_information for a joint target."
        )
    if values.ndim != 1:
        raise InvalidInputError(
            f"Input y must be one target of shape (n_samples,); got shape {values.shape}."
        )
    return values


def _discrete_mask(spec: DiscreteSpec, columns: list[np.ndarray[Any, Any]]) -> list[bool]:
    n_features = len(columns)
    if isinstance(spec, str):
        if spec != "auto":
            raise InvalidParameterError(
                "The 'discrete_features' parameter of feature_mutual_information must be "
                f"'auto', a bool, a boolean mask or column indices. Got {spec!r} instead."
            )
        return [col.dtype.kind in _DISCRETE_KINDS for col in columns]
    if isinstance(spec, bool | np.bool_):
        return [bool(spec)] * n_features
    given = np.asarray(spec)
    if given.dtype.kind == "b":
        if given.shape != (n_features,):
            raise InvalidParameterError(
                "The 'discrete_features' mask of feature_mutual_information must have one "
                f"entry per feature ({n_features}). Got shape {given.shape} instead."
            )
        return [bool(v) for v in given]
    if given.dtype.kind in "iu" and given.ndim == 1:
        bad = [int(i) for i in given if not -n_features <= i < n_features]
        if bad:
            raise InvalidParameterError(
                "The 'discrete_features' indices of feature_mutual_information must be in "
                f"[{-n_features}, {n_features}) for {n_features} features. Got {bad} instead."
            )
        mask = [False] * n_features
        for i in given:
            mask[int(i)] = True
        return mask
    raise InvalidParameterError(
        "The 'discrete_features' parameter of feature_mutual_information must be 'auto', a "
        f"bool, a boolean mask or column indices. Got {spec!r} instead."
    )


def _encode(values: np.ndarray[Any, Any], discrete: bool, name: str) -> NDArray[Any]:
    """Return discrete values as integer codes, continuous ones as checked float64."""
    if not discrete:
        return check_array(values, name=name)[:, 0]
    labels = check_categorical(values, name=name)[:, 0]
    try:
        codes = np.unique(labels, return_inverse=True)[1]
    except TypeError:  # labels of several types (e.g. 1 and "a") cannot be sorted
        codes = np.unique(labels.astype(str), return_inverse=True)[1]
    return np.asarray(codes, dtype=np.intp).reshape(-1)


def _accepted(method: str) -> set[str]:
    return {f.name for f in dataclasses.fields(get_estimator_class(method))}  # type: ignore[arg-type]


def _column_seeds(rng: RNGLike, n_features: int) -> list[RNGLike]:
    if isinstance(rng, np.random.Generator):  # one independent draw per column, in order
        return [int(s) for s in rng.integers(0, 2**63 - 1, size=n_features)]
    return [rng] * n_features  # an int seed (or None) serves every column alike


def feature_mutual_information(
    X: ArrayLike,
    y: ArrayLike,
    *,
    method: str = "auto",
    discrete_features: DiscreteSpec = "auto",
    discrete_target: bool | None = None,
    units: Units = "nats",
    rng: RNGLike = None,
    n_jobs: int | None = None,
    ci: float | None = None,
    **params: Any,
) -> Any:
    """Estimate the mutual information I(X_j; y) of every feature column ``X_j`` with ``y``.

    Each column is estimated on its own (a marginal score, as scikit-learn's
    ``mutual_info_classif`` / ``mutual_info_regression``): redundant features get the same
    score, and features informative only jointly get low ones.

    Parameters
    ----------
    X : array-like or pandas.DataFrame of shape (n_samples, n_features)
        Features. A DataFrame may mix dtypes (float, int, bool, category, string columns).
    y : array-like or pandas.Series of shape (n_samples,)
        The target.
    method : str, default="auto"
        Registry name (see :func:`infolens.available_methods`) used for every column, or
        ``"auto"`` to choose per column (module docstring).
    discrete_features : "auto", bool, boolean mask or int indices, default="auto"
        Which columns are discrete. ``"auto"``: integer, boolean, string and categorical
        columns are, float columns are not.
    discrete_target : bool or None, default=None
        Whether ``y`` is discrete (class labels); ``None`` decides by dtype like ``"auto"``.
    units : {"nats", "bits"}, default="nats"
        Units of the returned values.
    rng : int, numpy.random.Generator or None, default=None
        Randomness for estimators that use it. An int seed is given to every column, so column
        ``j`` gets exactly ``infolens.mutual_information(X[:, j], y, rng=rng, ...)``; a
        Generator gives each column its own draw, in column order.
    n_jobs : int or None, default=None
        Threads of the estimators that take an ``n_jobs`` parameter (the k-NN ones; ``-1``: all
        cores); ``None`` keeps each estimator's default (all cores). Does not change the
        values. Columns are estimated one after the other; on small samples (a few thousand
        rows) ``n_jobs=1`` is fastest, as starting threads costs more than the search.
    ci : float or None, default=None
        Confidence level (e.g. ``0.95``) of an interval for every column, computed by
        ``infolens.mutual_information(..., ci=ci)`` (an error if the method has none).
    **params
        Estimator hyper-parameters (e.g. ``k=5``). With ``method="auto"`` each one goes to the
        chosen methods that accept it; one that no chosen method accepts is an error.

    Returns
    -------
    ndarray of shape (n_features,), or pandas.Series
        The estimates in ``units``; a ``pandas.Series`` indexed by the column labels (named
        ``"mutual_information"``) when ``X`` is a DataFrame. With ``ci``: an ndarray of shape
        (n_features, 3) with columns value, lower and upper bound, or a DataFrame with columns
        ``mutual_information``, ``ci_low`` and ``ci_high``. Values are not clipped at 0 (an
        estimate of an independent feature can be slightly negative; scikit-learn clips).

    Raises
    ------
    ValueError
        For malformed input (not 2-D, inconsistent lengths, NaN or infinity, no features; the
        message names the column), unknown methods, units or parameters.
    TypeError
        For non-numeric data in a column treated as continuous.

    See Also
    --------
    mi_scores : the same values as an ndarray, for ``SelectKBest(score_func=mi_scores)``.
    make_mi_scorer : a score function with fixed parameters, for pipelines.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"colour": ["red", "blue"] * 50, "size": [1, 2, 2, 1] * 25})
    >>> label = df["colour"] == "red"
    >>> feature_mutual_information(df, label, method="plugin", units="bits")
    colour    1.0
    size      0.0
    Name: mutual_information, dtype: float64
    """
    columns, labels = _columns(X)
    target = _target(y)
    if not columns:
        raise InvalidInputError(
            f"Input X has no features: expected at least one column; got shape ({len(target)}, 0)."
        )
    check_consistent_length([columns[0], target])
    mask = _discrete_mask(discrete_features, columns)
    y_discrete = (
        target.dtype.kind in _DISCRETE_KINDS if discrete_target is None else discrete_target
    )
    y_codes = _encode(target, bool(y_discrete), "y")
    if n_jobs is not None:
        params = {**params, "n_jobs": n_jobs}
    seeds = _column_seeds(rng, len(columns))
    names = labels if labels is not None else list(range(len(columns)))
    plan: list[tuple[str, dict[str, Any]]] = []
    for discrete in mask:
        chosen = method
        if method == "auto":
            chosen = _AUTO_DISCRETE if discrete and y_discrete else _AUTO_MIXED
        plan.append((chosen, params))
    if method == "auto" and params:
        used = {m for m, _ in plan}
        accepted = set().union(*(_accepted(m) for m in used))
        unknown = sorted(set(params) - accepted - {"n_jobs"})
        if unknown:
            raise InvalidParameterError(
                f"Unknown parameter(s) {', '.join(repr(p) for p in unknown)} for the methods "
                f"method='auto' chose ({', '.join(repr(m) for m in sorted(used))})."
            )
        plan = [(m, {k: v for k, v in p.items() if k in _accepted(m)}) for m, p in plan]
    elif "n_jobs" in params and "n_jobs" not in _accepted(method) and method != "auto":
        plan = [(m, {k: v for k, v in p.items() if k != "n_jobs"}) for m, p in plan]
    options: dict[str, Any] = {} if ci is None else {"ci": ci}
    rows: list[tuple[float, float, float]] = []
    for j, (column, discrete, (chosen, kwargs), seed) in enumerate(
        zip(columns, mask, plan, seeds, strict=True)
    ):
        label = f"Feature {names[j]!r}" + (f" (column {j})" if labels is not None else "")
        try:
            x = _encode(column, discrete, f"X[:, {j}]")
            est = mutual_information(
                x, y_codes, method=chosen, units=units, rng=seed, **options, **kwargs
            )
        except InfolensError as err:
            raise type(err)(f"{label}: {err}") from None
        low, high = (np.nan, np.nan) if est.ci is None else (est.ci.low, est.ci.high)
        rows.append((est.value, low, high))
    table = np.array(rows, dtype=np.float64).reshape(len(columns), 3)
    result: Any = table if ci is not None else table[:, 0].copy()
    if labels is None:
        return result
    pandas: Any = __import__("pandas")  # the input was a DataFrame, so pandas is installed
    if ci is None:
        return pandas.Series(result, index=X.columns, name="mutual_information")
    return pandas.DataFrame(
        result, index=X.columns, columns=["mutual_information", "ci_low", "ci_high"]
    )


def mi_scores(X: ArrayLike, y: ArrayLike, **params: Any) -> NDArray[np.float64]:
    """Return :func:`feature_mutual_information` as a plain ndarray (a scikit-learn score_func).

    Parameters
    ----------
    X : array-like or pandas.DataFrame of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        The target.
    **params
        Any keyword of :func:`feature_mutual_information` (``method``, ``rng``, ``k``...).

    Returns
    -------
    ndarray of shape (n_features,)
        The scores (in nats unless ``units="bits"``), one per column.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.feature_selection import SelectKBest
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((500, 4))
    >>> y = (X[:, 2] > 0).astype(int)
    >>> SelectKBest(mi_scores, k=1).fit(X, y).get_support().tolist()
    [False, False, True, False]
    """
    if params.get("ci") is not None:
        raise InvalidParameterError(
            "mi_scores returns one score per feature; for confidence intervals call "
            "feature_mutual_information(X, y, ci=...)."
        )
    return np.asarray(feature_mutual_information(X, y, **params), dtype=np.float64)


@final
@dataclasses.dataclass(frozen=True)
class MIScorer:
    """A picklable scikit-learn ``score_func`` with fixed parameters; see :func:`make_mi_scorer`.

    Parameters
    ----------
    params : dict
        Keywords of :func:`feature_mutual_information`.
    """

    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __call__(self, X: ArrayLike, y: ArrayLike) -> NDArray[np.float64]:
        """Return the per-feature MI scores of ``X`` with ``y``, shape ``(n_features,)``."""
        return mi_scores(X, y, **self.params)


def make_mi_scorer(**params: Any) -> MIScorer:
    """Return a score function ``f(X, y) -> scores`` with ``params`` fixed, for pipelines.

    Parameters are checked now, so a typo fails when the pipeline is built, not when it is fit.

    Parameters
    ----------
    **params
        Keywords of :func:`feature_mutual_information` (``method``, ``rng``, ``units``,
        ``discrete_features``, estimator hyper-parameters such as ``k``...). ``ci`` is not
        allowed (a scorer returns one number per feature).

    Returns
    -------
    MIScorer
        A picklable, clonable callable.

    Examples
    --------
    >>> from sklearn.feature_selection import SelectKBest
    >>> selector = SelectKBest(make_mi_scorer(method="ksg", k=5, rng=0), k=2)
    >>> selector.score_func
    MIScorer(params={'method': 'ksg', 'k': 5, 'rng': 0})
    """
    if params.get("ci") is not None:
        raise InvalidParameterError(
            "make_mi_scorer builds a score function that returns one score per feature; for "
            "confidence intervals call feature_mutual_information(X, y, ci=...)."
        )
    accepted = {
        "method",
        "discrete_features",
        "discrete_target",
        "units",
        "rng",
        "n_jobs",
    }
    method = params.get("method", "auto")
    if not isinstance(method, str):
        raise InvalidParameterError(f"The 'method' parameter must be a str. Got {method!r}.")
    extra = set(params) - accepted
    if extra and method != "auto":
        unknown = sorted(extra - _accepted(method))
        if unknown:
            raise InvalidParameterError(
                f"Unknown parameter(s) {', '.join(repr(p) for p in unknown)} for method "
                f"{method!r}. Accepted: {', '.join(repr(p) for p in sorted(_accepted(method)))}."
            )
    return MIScorer(params=dict(params))
