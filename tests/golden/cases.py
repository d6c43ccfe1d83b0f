"""The golden cases: ~25 estimates across every family, frozen before the architecture refactor.

Each case is a name and a function returning a value in **nats** computed through the public API.
``golden.json`` holds the values the code gave when the cases were written (commit before the
refactor of issue #12); ``test_golden.py`` requires them to reproduce bit for bit (relative 1e-15
where a unit conversion sits in between). A deliberate fix from another issue may update a golden
value only in its own commit that says why (``python -m tests.golden.cases --write``).
"""

import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import infolens
from infolens import discrete, kernel

GOLDEN = Path(__file__).with_name("golden.json")


def _gauss(n: int, dim: int, rho: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim))
    y = rho * x + math.sqrt(1 - rho**2) * rng.standard_normal((n, dim))
    return x, y


def _three(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 1))
    x = z + rng.standard_normal((n, 1))
    y = z + 0.5 * x + rng.standard_normal((n, 1))
    return x, y, z


def _discrete(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, n)
    y = (x + rng.integers(0, 2, n)) % 4
    return x, y


def _v(est: object) -> float:
    return float(est.to("nats").value)  # type: ignore[attr-defined]


def _mi(method: str, data: tuple[np.ndarray, ...], **params: Any) -> Callable[[], float]:
    return lambda: _v(infolens.mutual_information(*data, method=method, rng=0, **params))


def _cmi(method: str, data: tuple[np.ndarray, ...], **params: Any) -> Callable[[], float]:
    return lambda: _v(
        infolens.conditional_mutual_information(*data, method=method, rng=0, **params)
    )


def _h(method: str, x: np.ndarray, **params: Any) -> Callable[[], float]:
    return lambda: _v(infolens.entropy(x, method=method, rng=0, **params))


def _infoplane(name: str) -> Callable[[], float]:
    def run() -> float:
        from infolens.infoplane import measures

        rng = np.random.default_rng(3)
        t = np.tanh(rng.standard_normal((400, 3)) @ rng.standard_normal((3, 3)))
        y = (t[:, 0] > 0).astype(np.intp)
        estimator: Any = {
            "fixed": measures.FixedBinning(),
            "kde": measures.KDEBound(),
            "knn": measures.KNNEntropy(),
        }[name]
        result = estimator.estimate(t, y, rng=0)  # KNNEntropy's old seed=0, now at call time
        # I(X;T) + 10 I(T;Y) + 100 I(X;T|Y), in the record's units, converted to nats
        return _infoplane_nats(result)

    return run


def _infoplane_nats(result: object) -> float:
    units = getattr(result, "units", "bits")
    total = result.i_xt + 10 * result.i_ty + 100 * result.i_xt_given_y  # type: ignore[attr-defined]
    return float(total * math.log(2.0)) if units == "bits" else float(total)


def _neural(method: str) -> Callable[[], float]:
    def run() -> float:
        x, y = _gauss(600, 2, 0.8, 5)
        params: dict[str, Any] = {
            "max_steps": 60,
            "batch_size": 64,
            "eval_every": 20,
            "verbose": False,
        }
        return _v(infolens.mutual_information(x, y, method=method, rng=1, **params))

    return run


def _pid(measure: str) -> float:
    rng = np.random.default_rng(7)
    x1, x2 = rng.integers(0, 2, 500), rng.integers(0, 3, 500)
    y = (x1 + x2 + (rng.random(500) < 0.2)) % 3
    r = infolens.pid(x1, x2, y, measure=measure)
    return float(r.redundancy + 10 * r.unique_1 + 100 * r.unique_2 + 1000 * r.synergy)


_G1 = _gauss(2000, 1, 0.6, 0)
_G3 = _gauss(1500, 3, 0.5, 1)
_C = _three(1500, 2)
_D = _discrete(3000, 4)
_TIES = (np.round(_G1[0] * 2) / 2, np.round(_G1[1] * 2) / 2)
_SMALL = _gauss(300, 2, 0.7, 6)

CASES: dict[str, Callable[[], float]] = {
    "ksg_1d": _mi("ksg", _G1),
    "ksg2_3d": _mi("ksg", _G3, variant=2, k=5),
    "ksg_brute_3d": _mi("ksg", _G3, backend="brute"),
    "kl_entropy_3d": _h("kl", _G3[0]),
    "kl_euclidean_3d": _h("kl", _G3[0], metric="euclidean"),
    "frenzel_pompe": _cmi("frenzel_pompe", _C),
    "mixed_knn_ties": _mi("mixed_knn", _TIES),
    "mixed_knn_discrete_cmi": _cmi("mixed_knn", (_C[0], _C[1], np.round(_C[2]))),
    "gaussian_mi_3d": _mi("gaussian", _G3),
    "gaussian_cmi": _cmi("gaussian", _C),
    "gaussian_entropy": _h("gaussian", _G3[0]),
    "gaussian_copula_mi": _mi("gaussian_copula", (np.exp(_G1[0]), _G1[1] ** 3)),
    "plugin_mi": _mi("plugin", _D),
    "miller_madow_entropy": _h("miller_madow", _D[0]),
    "binning_mi": _mi("binning", _G1, bins=8),
    "binning_entropy": _h("binning", _G1[0], bins=12),
    "auto_continuous": _mi("auto", _G3),
    "auto_discrete": _mi("auto", _D),
    "renyi_mi": lambda: _v(
        kernel.matrix_renyi_mutual_information(*_SMALL, sigma_x=1.0, sigma_y=1.0)
    ),
    "cs_qmi": lambda: _v(
        kernel.cauchy_schwarz_mutual_information(*_SMALL, sigma_x=1.0, sigma_y=1.0)
    ),
    "hsic": lambda: float(kernel.hsic(*_SMALL, sigma_x=1.0, sigma_y=1.0).value),
    "discrete_mi_table": lambda: discrete.mutual_information(
        np.array([[0.3, 0.1], [0.05, 0.55]]), [0], [1]
    ),
    "pid_broja": lambda: _pid("broja"),
    "pid_williams_beer": lambda: _pid("williams_beer"),
    "infoplane_fixed": _infoplane("fixed"),
    "infoplane_kde": _infoplane("kde"),
    "infoplane_knn": _infoplane("knn"),
    "neural_infonce": _neural("infonce"),
    "neural_mine": _neural("mine"),
    "neural_club": _neural("club"),
}


def compute() -> dict[str, float]:
    """Evaluate every case."""
    return {name: case() for name, case in CASES.items()}


if __name__ == "__main__":
    values = compute()
    sys.stdout.write(json.dumps(values, indent=1) + "\n")
    if "--write" in sys.argv:
        GOLDEN.write_text(json.dumps({k: repr(v) for k, v in values.items()}, indent=1) + "\n")
