"""The declarative method registry."""

import re
import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest

import infolens
from infolens.estimators import (
    REGISTRY,
    ConditionalMutualInformationEstimator,
    EntropyEstimator,
    MutualInformationEstimator,
    available_methods,
    get_estimator_class,
)
from infolens.estimators.registry import Method, make_estimator, register_method, unregister_method
from infolens.exceptions import InvalidParameterError, UnsupportedQuantityError

_PROTOCOLS = {
    "entropy": EntropyEstimator,
    "mutual_information": MutualInformationEstimator,
    "conditional_mutual_information": ConditionalMutualInformationEstimator,
}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_registered_method_imports_and_is_a_frozen_keyword_dataclass(name: str) -> None:
    record = REGISTRY[name]
    cls = get_estimator_class(name)
    assert vars(cls)["__dataclass_params__"].frozen
    assert all(f.kw_only for f in vars(cls)["__dataclass_fields__"].values())
    for quantity in record.quantities:  # the record promises only what the class does
        assert issubclass(cls, _PROTOCOLS[quantity])
    assert record.summary
    assert len(record.summary) < 100


def test_available_methods_by_quantity() -> None:
    assert available_methods("mutual_information") == [
        "binning",
        "cauchy_schwarz",
        "club",
        "compression",
        "copula_ensemble",
        "dv",
        "gaussian",
        "gaussian_copula",
        "infonce",
        "js",
        "ksg",
        "lnc",
        "matrix_renyi",
        "miller_madow",
        "mine",
        "mixed_knn",
        "nwj",
        "plugin",
        "smile",
        "wdm",
    ]
    assert available_methods("conditional_mutual_information") == [
        "binning",
        "frenzel_pompe",
        "gaussian",
        "gaussian_copula",
        "miller_madow",
        "mixed_knn",
        "plugin",
    ]
    assert available_methods() == sorted(REGISTRY)


def test_listing_methods_imports_no_estimator_and_no_torch() -> None:
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import infolens, infolens.estimators\n"
        "before = set(sys.modules)\n"
        "names = infolens.available_methods('mutual_information')\n"
        "assert 'infonce' in names and 'ksg' in names\n"
        "records = [infolens.estimators.registry.get_method(n) for n in names]\n"
        "new = sorted(set(sys.modules) - before)\n"
        "assert not new, new\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_kernel_measures_are_dispatched_by_the_functional_api() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((150, 2))
    y = x + rng.standard_normal((150, 2))
    est = infolens.mutual_information(x, y, method="matrix_renyi", sigma_x=1.0, sigma_y=1.0)
    direct = infolens.kernel.matrix_renyi_mutual_information(x, y, sigma_x=1.0, sigma_y=1.0)
    assert est.value == direct.value
    assert est.method == "matrix_renyi"
    assert est.params["alpha"] == 2.0
    assert "not Shannon" in est.details["definition"]
    qmi = infolens.mutual_information(x, y, method="cauchy_schwarz", units="bits")
    assert qmi.units == "bits"
    assert qmi.value > 0
    h = infolens.entropy(x, method="matrix_renyi", sigma=1.0)
    assert h.value == infolens.kernel.matrix_renyi_entropy(x, sigma=1.0).value
    with pytest.raises(InvalidParameterError, match="'alpha' parameter of MatrixRenyiEstimator"):
        infolens.mutual_information(x, y, method="matrix_renyi", alpha=-1.0)
    with pytest.raises(UnsupportedQuantityError, match="does not estimate conditional"):
        infolens.conditional_mutual_information(x, y, x, method="cauchy_schwarz")


@pytest.fixture
def ksg7() -> Iterator[Method]:
    record = register_method(
        Method(
            name="ksg7",
            target="infolens.estimators.ksg:KSGEstimator",
            quantities=("mutual_information",),
            summary="KSG with seven neighbours.",
            params={"k": 7},
        )
    )
    yield record
    unregister_method("ksg7")


def test_a_new_method_is_one_record_listed_validated_and_dispatched(ksg7: Method) -> None:
    assert "ksg7" in available_methods("mutual_information")
    assert "ksg7" not in available_methods("entropy")
    rng = np.random.default_rng(1)
    x = rng.standard_normal(500)
    y = x + rng.standard_normal(500)
    est = infolens.mutual_information(x, y, method="ksg7")
    assert est.value == infolens.mutual_information(x, y, method="ksg", k=7).value
    assert est.params["k"] == 7
    with pytest.raises(InvalidParameterError, match=re.escape("'k' fixed by the method")):
        infolens.mutual_information(x, y, method="ksg7", k=3)
    with pytest.raises(UnsupportedQuantityError, match="'ksg7' does not estimate entropy"):
        infolens.entropy(x, method="ksg7")
    with pytest.raises(InvalidParameterError, match="already registered"):
        register_method(ksg7)


def test_records_are_checked() -> None:
    with pytest.raises(InvalidParameterError, match="'module:Class'"):
        Method(name="bad", target="nowhere", quantities=("entropy",), summary="x")
    with pytest.raises(InvalidParameterError, match="Unknown quantity 'volume'"):
        Method(name="bad", target="a:B", quantities=("volume",), summary="x")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="reserved"):
        register_method(Method(name="auto", target="a:B", quantities=("entropy",), summary="x"))
    register_method(
        Method(
            name="liar",
            target="infolens.estimators.kl:KozachenkoLeonenkoEstimator",
            quantities=("mutual_information",),
            summary="claims MI",
        )
    )
    try:
        with pytest.raises(InvalidParameterError, match="has no mutual_information"):
            make_estimator("liar")
    finally:
        unregister_method("liar")


def test_unknown_method_lists_the_available_ones() -> None:
    available = ", ".join(repr(m) for m in available_methods())
    with pytest.raises(InvalidParameterError, match=re.escape(f"Available: {available}.")):
        get_estimator_class("ksgg")
