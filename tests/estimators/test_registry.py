"""The explicit method registry."""

import pytest

from infolens.estimators import (
    REGISTRY,
    ConditionalMutualInformationEstimator,
    EntropyEstimator,
    MutualInformationEstimator,
    available_methods,
    get_estimator_class,
)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_registered_method_imports_and_is_a_frozen_keyword_dataclass(name: str) -> None:
    cls = get_estimator_class(name)
    assert cls.name == name
    assert vars(cls)["__dataclass_params__"].frozen
    assert all(f.kw_only for f in vars(cls)["__dataclass_fields__"].values())
    protocols = (
        EntropyEstimator,
        MutualInformationEstimator,
        ConditionalMutualInformationEstimator,
    )
    assert any(issubclass(cls, p) for p in protocols)


def test_available_methods_by_quantity() -> None:
    assert available_methods("mutual_information") == [
        "binning",
        "club",
        "dv",
        "gaussian",
        "gaussian_copula",
        "infonce",
        "js",
        "ksg",
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
