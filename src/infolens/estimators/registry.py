"""The explicit registry of estimation methods.

Names map to ``"module:Class"`` strings so that an estimator's module (and any optional
dependency it needs) is imported only when the method is first used.
"""

import dataclasses
import importlib
from typing import Any

from infolens._typing import Quantity
from infolens._validation import check_choice
from infolens.estimators._base import PROTOCOLS, Estimator
from infolens.exceptions import InvalidParameterError, UnsupportedQuantityError

REGISTRY: dict[str, str] = {
    "binning": "infolens.estimators.binning:BinningEstimator",
    "frenzel_pompe": "infolens.estimators.frenzel_pompe:FrenzelPompeEstimator",
    "gaussian": "infolens.estimators.gaussian:GaussianEstimator",
    "gaussian_copula": "infolens.estimators.gaussian_copula:GaussianCopulaEstimator",
    "kl": "infolens.estimators.kl:KozachenkoLeonenkoEstimator",
    "ksg": "infolens.estimators.ksg:KSGEstimator",
    "miller_madow": "infolens.estimators.miller_madow:MillerMadowEstimator",
    "mixed_knn": "infolens.estimators.mixed_knn:MixedKNNEstimator",
    "plugin": "infolens.estimators.plugin:PluginEstimator",
    # neural variational bounds (the torch extra): mutual information only
    "club": "infolens.estimators.neural.estimator:CLUBEstimator",
    "dv": "infolens.estimators.neural.estimator:DVEstimator",
    "infonce": "infolens.estimators.neural.estimator:InfoNCEEstimator",
    "js": "infolens.estimators.neural.estimator:JSEstimator",
    "mine": "infolens.estimators.neural.estimator:MINEEstimator",
    "nwj": "infolens.estimators.neural.estimator:NWJEstimator",
    "smile": "infolens.estimators.neural.estimator:SMILEEstimator",
    "wdm": "infolens.estimators.neural.estimator:WDMEstimator",
}

#: Methods whose module needs torch; what they estimate is known without importing them.
TORCH_METHODS: dict[str, tuple[Quantity, ...]] = {
    name: ("mutual_information",)
    for name, target in REGISTRY.items()
    if target.startswith("infolens.estimators.neural.")
}

_QUANTITY_WORDS: dict[Quantity, str] = {
    "entropy": "entropy",
    "mutual_information": "mutual information",
    "conditional_mutual_information": "conditional mutual information",
}


def available_methods(quantity: Quantity | None = None) -> list[str]:
    """Return the sorted registry names, optionally only those estimating ``quantity``.

    Examples
    --------
    >>> available_methods("entropy")
    ['binning', 'gaussian', 'kl', 'miller_madow', 'plugin']
    """
    names = sorted(REGISTRY)
    if quantity is None:
        return names
    return [name for name in names if quantity in _quantities(name)]


def _quantities(method: str) -> tuple[Quantity, ...]:
    if method in TORCH_METHODS:  # known statically, so listing methods never imports torch
        return TORCH_METHODS[method]
    cls = get_estimator_class(method)
    return tuple(q for q, protocol in PROTOCOLS.items() if issubclass(cls, protocol))


def get_estimator_class(method: str) -> type[Estimator]:
    """Return the estimator class registered as ``method`` (imported on first use)."""
    target = REGISTRY[check_choice(method, REGISTRY, name="method")]
    module_name, class_name = target.split(":")
    cls: type[Estimator] = getattr(importlib.import_module(module_name), class_name)
    return cls


def make_estimator(method: str, quantity: Quantity | None = None, **params: Any) -> Estimator:
    """Instantiate the estimator ``method`` with ``params``, checking it can estimate ``quantity``.

    Raises
    ------
    ValueError
        If the method is unknown, does not estimate ``quantity``, or gets unknown parameters.
    """
    if quantity is not None and quantity not in _quantities(method):
        others = ", ".join(repr(m) for m in available_methods(quantity))
        raise UnsupportedQuantityError(
            f"Method {method!r} does not estimate {_QUANTITY_WORDS[quantity]}. "
            f"Methods that do: {others}."
        )
    cls = get_estimator_class(method)
    accepted = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise InvalidParameterError(
            f"Unknown parameter(s) {', '.join(repr(p) for p in unknown)} for method {method!r}. "
            f"Accepted: {', '.join(repr(p) for p in accepted) or 'none'}."
        )
    return cls(**params)
