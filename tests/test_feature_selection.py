"""Per-feature MI for scikit-learn users: agreement with sklearn, pipelines, pandas, bad input.

Agreement with scikit-learn (``mutual_info_regression`` / ``mutual_info_classif``, k = 3) is
checked to 1e-10 nats. The definitions match exactly: sklearn's KSG estimator 1 on each column
(scaled to unit variance, max norm, strict radius) is our ``ksg``; with a discrete target it
computes Ross's estimator, which is what ``mixed_knn`` reduces to when every joint neighbour
lies in the point's own class (the other classes are at least 1/std(y) away in the standardised
label, far beyond the 3rd-neighbour distance of these samples); on discrete features both are the
plug-in MI. sklearn adds noise of 1e-10 x max(1, mean |x|) to continuous columns: it moves the
neighbour distances by ~1e-10 and so could change a count only where two distances agree to
that precision, which does not happen on these continuous samples. What remains is rounding
(~1e-15). sklearn clips negative estimates at 0, so ours are compared clipped.
"""

import pickle
import re
from typing import Any

import numpy as np
import pytest

import infolens
from infolens.exceptions import InvalidDataTypeError, InvalidInputError, InvalidParameterError
from infolens.feature_selection import (
    MIScorer,
    feature_mutual_information,
    make_mi_scorer,
    mi_scores,
)

sklearn_fs = pytest.importorskip("sklearn.feature_selection")
pd = pytest.importorskip("pandas")

SKLEARN_TOL = 1e-10


def _regression(seed: int, n: int = 500) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4)) * [1.0, 3.0, 0.1, 1.0]
    y = X[:, 0] + 0.5 * (X[:, 1] / 3) ** 2 + rng.standard_normal(n)
    return X, y


def test_ksg_and_auto_equal_sklearn_mutual_info_regression(global_random_seed: int) -> None:
    X, y = _regression(global_random_seed)
    theirs = sklearn_fs.mutual_info_regression(X, y, n_neighbors=3, random_state=0)
    ksg = feature_mutual_information(X, y, method="ksg", rng=0, n_jobs=1)
    np.testing.assert_allclose(np.maximum(ksg, 0), theirs, rtol=0, atol=SKLEARN_TOL)
    auto = feature_mutual_information(X, y, n_jobs=1)  # mixed_knn: KSG on data without repeats
    np.testing.assert_array_equal(auto, ksg)
    assert auto[0] > 0.2  # the informative column is found (not a vacuous match of zeros)


def test_mixed_knn_equals_sklearn_mutual_info_classif(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    X = rng.standard_normal((600, 3))
    y = (X[:, 0] > 0).astype(int) + (X[:, 2] > 1)  # three classes
    theirs = sklearn_fs.mutual_info_classif(X, y, n_neighbors=3, random_state=0)
    ours = feature_mutual_information(X, y, n_jobs=1)
    np.testing.assert_allclose(np.maximum(ours, 0), theirs, rtol=0, atol=SKLEARN_TOL)
    assert ours[0] > 0.3


def test_discrete_features_equal_sklearn_plugin_and_auto_adds_miller_madow(
    global_random_seed: int,
) -> None:
    rng = np.random.default_rng(global_random_seed)
    n = 400
    X = rng.integers(0, 4, size=(n, 3))
    y = (X[:, 0] + rng.integers(0, 2, n)) % 4
    theirs = sklearn_fs.mutual_info_classif(X, y, discrete_features=True)
    plugin = feature_mutual_information(X, y, method="plugin")
    np.testing.assert_allclose(plugin, theirs, rtol=0, atol=1e-12)
    # auto on discrete/discrete = Miller-Madow: plug-in + (K_x - 1 + K_y - 1 - (K_xy - 1)) / 2N
    auto = feature_mutual_information(X, y)
    k_y = np.unique(y).size
    for j in range(3):
        k_x, k_xy = np.unique(X[:, j]).size, np.unique(X[:, j] * 10 + y).size
        correction = ((k_x - 1) + (k_y - 1) - (k_xy - 1)) / (2 * n)
        assert auto[j] == pytest.approx(plugin[j] + correction, abs=1e-12)


def test_each_column_is_the_functional_estimate_and_units_convert() -> None:
    X, y = _regression(3, n=300)
    nats = feature_mutual_information(X, y, method="ksg", rng=5, k=4, n_jobs=1)
    for j in range(X.shape[1]):
        single = infolens.mutual_information(X[:, j], y, method="ksg", rng=5, k=4, n_jobs=1)
        assert nats[j] == single.value
    bits = feature_mutual_information(X, y, method="ksg", rng=5, k=4, n_jobs=1, units="bits")
    np.testing.assert_allclose(bits, nats / np.log(2), rtol=1e-14)
    threads = feature_mutual_information(X[:, :1], y, method="ksg", rng=5, k=4, n_jobs=2)
    assert threads[0] == nats[0]  # n_jobs never changes a value
    gaussian = feature_mutual_information(X, y, method="gaussian", n_jobs=2)  # no n_jobs there
    assert gaussian.shape == (4,)


def test_rng_generator_gives_each_column_its_own_reproducible_draw() -> None:
    X, y = _regression(4, n=200)
    first = feature_mutual_information(X, y, method="ksg", rng=np.random.default_rng(9), n_jobs=1)
    again = feature_mutual_information(X, y, method="ksg", rng=np.random.default_rng(9), n_jobs=1)
    np.testing.assert_array_equal(first, again)


def test_discrete_target_declared_on_float_labels() -> None:
    rng = np.random.default_rng(5)
    X = rng.standard_normal((300, 2))
    labels = (X[:, 0] > 0).astype(int)
    as_int = feature_mutual_information(X, labels, n_jobs=1)
    as_float = feature_mutual_information(X, labels * 2.5 + 1.0, discrete_target=True, n_jobs=1)
    np.testing.assert_array_equal(as_int, as_float)
    strings = feature_mutual_information(X, np.where(labels == 1, "yes", "no"), n_jobs=1)
    np.testing.assert_array_equal(strings, as_int)


def test_select_k_best_in_a_pipeline_picks_the_informative_columns() -> None:
    from sklearn.base import clone
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import Pipeline

    rng = np.random.default_rng(6)
    X = rng.standard_normal((400, 6))
    y_class = (X[:, 1] + X[:, 4] > 0).astype(int)
    y_reg = np.sin(2 * X[:, 1]) + X[:, 4] + 0.3 * rng.standard_normal(400)
    for scorer, target, model in [
        (make_mi_scorer(n_jobs=1), y_class, LogisticRegression()),
        (make_mi_scorer(method="ksg", k=5, rng=0, n_jobs=1), y_reg, LinearRegression()),
    ]:
        pipe = Pipeline(
            [("select", sklearn_fs.SelectKBest(score_func=scorer, k=2)), ("model", model)]
        )
        pipe.fit(X, target)
        assert np.flatnonzero(pipe.named_steps["select"].get_support()).tolist() == [1, 4]
        assert pipe.predict(X[:5]).shape == (5,)
        cloned = clone(pipe).fit(X, target)  # clonable ...
        restored = pickle.loads(pickle.dumps(pipe))  # ... and picklable
        np.testing.assert_array_equal(cloned.predict(X), pipe.predict(X))
        np.testing.assert_array_equal(restored.predict(X), pipe.predict(X))


def test_pandas_in_labelled_series_out() -> None:
    rng = np.random.default_rng(7)
    n = 300
    df = pd.DataFrame(
        {
            "height": rng.standard_normal(n),
            "group": rng.integers(0, 3, n),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "flag": rng.random(n) > 0.5,
            "word": rng.choice(["u", "v"], n),
        },
        index=pd.RangeIndex(100, 100 + n),
    )
    target = pd.Series(df["height"] + df["group"] + rng.standard_normal(n), index=df.index)
    scores = feature_mutual_information(df, target, rng=0, n_jobs=1)
    assert isinstance(scores, pd.Series)
    assert scores.name == "mutual_information"
    assert list(scores.index) == list(df.columns)
    assert scores["height"] > 0.1
    assert scores["group"] > 0.05
    codes = {
        "height": df["height"].to_numpy(),
        "group": df["group"].to_numpy(),
        "colour": df["colour"].cat.codes.to_numpy(),
        "flag": df["flag"].to_numpy(),
        "word": (df["word"] == "v").to_numpy(),
    }
    for name, column in codes.items():  # each column is its own functional estimate
        expected = infolens.mutual_information(
            column, target.to_numpy(), method="mixed_knn", n_jobs=1
        )
        assert scores[name] == pytest.approx(expected.value, abs=1e-12), name
    np.testing.assert_array_equal(mi_scores(df, target, rng=0, n_jobs=1), scores.to_numpy())


def test_confidence_intervals_come_back_as_a_labelled_table() -> None:
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"a": rng.standard_normal(500), "b": rng.standard_normal(500)})
    y = df["a"] + rng.standard_normal(500)
    table = feature_mutual_information(df, y, method="gaussian", ci=0.9)
    assert list(table.columns) == ["mutual_information", "ci_low", "ci_high"]
    assert list(table.index) == ["a", "b"]
    assert (table["ci_low"] <= table["mutual_information"]).all()
    assert (table["mutual_information"] <= table["ci_high"]).all()
    array = feature_mutual_information(df.to_numpy(), y.to_numpy(), method="gaussian", ci=0.9)
    np.testing.assert_array_equal(array, table.to_numpy())
    truth = -0.5 * np.log(1 - 0.5)  # corr(a, y)^2 = 1/2
    assert table.loc["a", "ci_low"] < truth + 0.1


def _message(error: type[Exception], text: str) -> Any:
    return pytest.raises(error, match=re.escape(text))


def test_bad_input_errors_name_what_is_wrong() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((50, 3)), rng.standard_normal(50)
    with _message(InvalidInputError, "Input X must be 2-D (n_samples, n_features) (one feature"):
        feature_mutual_information(X[:, 0], y)
    with _message(InvalidInputError, "got a 3-D array of shape (50, 3, 1)"):
        feature_mutual_information(X[..., None], y)
    with _message(
        InvalidInputError, "Found input variables with inconsistent numbers of samples: [50, 49]"
    ):
        feature_mutual_information(X, y[:49])
    with _message(InvalidInputError, "Input X has no features: expected at least one column"):
        feature_mutual_information(X[:, :0], y)
    with _message(InvalidInputError, "Input y must be one target of shape (n_samples,)"):
        feature_mutual_information(X, X[:, :2])
    bad = pd.DataFrame(X, columns=["a", "b", "c"])
    bad.loc[7, "b"] = np.nan
    with _message(
        InvalidInputError,
        "Feature 'b' (column 1): Input X[:, 1] contains NaN: expected finite values; found 1 "
        "non-finite value(s), the first in row 7.",
    ):
        feature_mutual_information(bad, y)
    with _message(InvalidDataTypeError, "Feature 0: Input X[:, 0] must contain real numbers"):
        feature_mutual_information(np.array([["a"], ["b"]] * 25), y, discrete_features=False)
    with _message(InvalidParameterError, "Feature 0: Unknown method 'ksgg'. Available: "):
        feature_mutual_information(X, y, method="ksgg")
    with _message(
        InvalidParameterError,
        "Unknown parameter(s) 'kk' for the methods method='auto' chose ('mixed_knn').",
    ):
        feature_mutual_information(X, y, kk=3)
    with _message(InvalidParameterError, "must have one entry per feature (3). Got shape (2,)"):
        feature_mutual_information(X, y, discrete_features=[True, False])
    with _message(InvalidParameterError, "must be in [-3, 3) for 3 features. Got [5] instead."):
        feature_mutual_information(X, y, discrete_features=[5])
    with _message(InvalidParameterError, "must be 'auto', a bool, a boolean mask or column"):
        feature_mutual_information(X, y, discrete_features="yes")
    with _message(InvalidParameterError, "Unknown units 'nat'"):
        feature_mutual_information(X, y, units="nat")  # type: ignore[arg-type]
    sparse = pytest.importorskip("scipy.sparse")
    with _message(InvalidInputError, "Input X is a scipy sparse matrix"):
        feature_mutual_information(sparse.csr_matrix(X), y)


def test_scorer_parameters_are_checked_when_built() -> None:
    assert make_mi_scorer(method="ksg", k=5) == MIScorer(params={"method": "ksg", "k": 5})
    with _message(InvalidParameterError, "Unknown parameter(s) 'kk' for method 'ksg'."):
        make_mi_scorer(method="ksg", kk=5)
    with _message(InvalidParameterError, "for confidence intervals call"):
        make_mi_scorer(ci=0.95)
    with _message(InvalidParameterError, "for confidence intervals call"):
        mi_scores(np.zeros((10, 1)), np.zeros(10), ci=0.95)
