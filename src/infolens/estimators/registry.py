"""The declarative registry of estimation methods.

Each method is a :class:`Method` record: where its estimator lives (``"module:Class"``, imported on
first use), what it estimates, a one-line summary, preset parameters and the extra it needs. Listing
methods reads these records only, so ``infolens methods`` and :func:`available_methods` never import
an estimator (nor torch). Adding a method is one record::

    register_method(Method(name="my_ksg", target="infolens.estimators.ksg:KSGEstimator",
                           quantities=("mutual_information",), summary="KSG with k=7",
                           params={"k": 7}))
"""

import dataclasses
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from infolens._estimate import INFORMATION_QUANTITIES, QUANTITY_WORDS
from infolens._typing import Quantity
from infolens._validation import check_choice
from infolens.estimators._base import PROTOCOLS, Estimator
from infolens.exceptions import (
    InvalidParameterError,
    MissingExtraError,
    UnsupportedQuantityError,
)

DataKind = Literal["continuous", "discrete", "any"]


@dataclass(frozen=True, kw_only=True)
class Method:
    """One registry entry: a named way to estimate one or more information quantities.

    Attributes
    ----------
    name : str
        The ``method=`` name.
    target : str
        ``"module:Class"`` of a frozen estimator dataclass, imported on first use.
    quantities : tuple of str
        What it estimates (a subset of entropy, mutual_information, conditional_mutual_information).
    summary : str
        One line, shown by ``infolens methods``.
    data : {"continuous", "discrete", "any"}, default="continuous"
        The data it is meant for.
    params : mapping, default={}
        Preset parameters passed to the class (the named neural bounds are presets of one class);
        users cannot override them.
    extra : str or None, default=None
        The ``pip install "infolens[extra]"`` the target needs (e.g. ``"torch"``).
    """

    name: str
    target: str
    quantities: tuple[Quantity, ...]
    summary: str
    data: DataKind = "continuous"
    params: Mapping[str, Any] = field(default_factory=dict)
    extra: str | None = None

    def __post_init__(self) -> None:
        if ":" not in self.target:
            raise InvalidParameterError(
                f"The 'target' of method {self.name!r} must be 'module:Class'. "
                f"Got {self.target!r} instead."
            )
        for quantity in self.quantities:
            check_choice(quantity, INFORMATION_QUANTITIES, name="quantity")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


_NEURAL = "infolens.estimators.neural.estimator:NeuralEstimator"
_MI: tuple[Quantity, ...] = ("mutual_information",)
_ALL: tuple[Quantity, ...] = INFORMATION_QUANTITIES


def _neural(name: str, summary: str) -> Method:
    return Method(
        name=name,
        target=_NEURAL,
        quantities=_MI,
        summary=summary,
        params={"bound": name},
        extra="torch",
    )


_BUILTIN = (
    Method(name="binning", target="infolens.estimators.binning:BinningEstimator", quantities=_ALL,
           summary="Plug-in entropies of fixed-width bins (bins=, width= or edges=)."),
    Method(name="frenzel_pompe", target="infolens.estimators.frenzel_pompe:FrenzelPompeEstimator",
           quantities=("conditional_mutual_information",),
           summary="Frenzel–Pompe k-NN conditional MI (KSG-type)."),
    Method(name="gaussian", target="infolens.estimators.gaussian:GaussianEstimator",
           quantities=_ALL,
           summary="Gaussian log-determinants with exact bias correction; linear dependence only."),
    Method(name="gaussian_copula",
           target="infolens.estimators.gaussian_copula:GaussianCopulaEstimator",
           quantities=("mutual_information", "conditional_mutual_information"),
           summary="Ranks to normal scores, then Gaussian; invariant to monotone maps."),
    Method(name="kl", target="infolens.estimators.kl:KozachenkoLeonenkoEstimator",
           quantities=("entropy",),
           summary="Kozachenko–Leonenko k-NN differential entropy (max or Euclidean norm)."),
    Method(name="ksg", target="infolens.estimators.ksg:KSGEstimator", quantities=_MI,
           summary="Kraskov–Stögbauer–Grassberger k-NN MI (variant 1 or 2)."),
    Method(name="lnc", target="infolens.estimators.lnc:LNCEstimator", quantities=_MI,
           summary="KSG with the local non-uniformity correction (strongly dependent data)."),
    Method(name="compression", target="infolens.estimators.compression:CompressionEstimator",
           quantities=_MI,
           summary="PCA-compressed X and Y, then copula k-NN: a lower bound for high dimension."),
    Method(name="copula_ensemble", target="infolens.auto:CopulaEnsembleEstimator",
           quantities=_MI,
           summary="auto's continuous MI: largest of copula KSG/LNC, Gaussian-copula, radial."),
    Method(name="miller_madow", target="infolens.estimators.miller_madow:MillerMadowEstimator",
           quantities=_ALL, data="discrete",
           summary="Plug-in entropies of discrete symbols with the Miller–Madow correction."),
    Method(name="mixed_knn", target="infolens.estimators.mixed_knn:MixedKNNEstimator",
           quantities=("mutual_information", "conditional_mutual_information"), data="any",
           summary="Gao et al. k-NN MI/CMI for continuous, discrete or mixed data (exact ties)."),
    Method(name="plugin", target="infolens.estimators.plugin:PluginEstimator", quantities=_ALL,
           data="discrete", summary="Plug-in (maximum-likelihood) entropies of discrete symbols."),
    Method(name="matrix_renyi", target="infolens.kernel.estimators:MatrixRenyiEstimator",
           quantities=("entropy", "mutual_information"),
           summary="Matrix-based Rényi alpha-entropy/MI of Gaussian Gram matrices (not Shannon)."),
    Method(name="cauchy_schwarz", target="infolens.kernel.estimators:CauchySchwarzEstimator",
           quantities=_MI,
           summary="Cauchy–Schwarz quadratic MI from Gaussian Gram matrices (not Shannon)."),
    _neural("club", "CLUB neural upper bound (variational Gaussian q(y|x))."),
    _neural("dv", "Donsker–Varadhan neural lower bound."),
    _neural("infonce", "InfoNCE contrastive lower bound (at most ln batch_size)."),
    _neural("js", "Jensen–Shannon-trained critic, reported with the NWJ bound."),
    _neural("mine", "MINE: DV bound with a moving-average gradient correction."),
    _neural("nwj", "Nguyen–Wainwright–Jordan (f-divergence) neural lower bound."),
    _neural("smile", "SMILE: DV bound with a clipped critic (lower variance)."),
    _neural("wdm", "Wasserstein dependency measure (spectrally normalised critic)."),
)  # fmt: skip

#: Every registered method by name (read-only view; use :func:`register_method` to add one).
_METHODS: dict[str, Method] = {m.name: m for m in _BUILTIN}
REGISTRY: Mapping[str, Method] = MappingProxyType(_METHODS)


def register_method(method: Method, *, replace: bool = False) -> Method:
    """Add ``method`` to the registry (``replace=True`` to overwrite an existing name)."""
    if not isinstance(method, Method):
        raise InvalidParameterError(
            f"register_method expects a Method record. Got {type(method).__name__} instead."
        )
    if method.name == "auto":
        raise InvalidParameterError("The method name 'auto' is reserved for the automatic choice.")
    if method.name in _METHODS and not replace:
        raise InvalidParameterError(
            f"A method named {method.name!r} is already registered; pass replace=True to "
            "overwrite it."
        )
    _METHODS[method.name] = method
    return method


def unregister_method(name: str) -> None:
    """Remove the method ``name`` from the registry."""
    _METHODS.pop(check_choice(name, _METHODS, name="method"))


def get_method(name: str) -> Method:
    """Return the registry record of ``name`` (an unknown name lists the available ones)."""
    return _METHODS[check_choice(name, _METHODS, name="method")]


def available_methods(quantity: Quantity | None = None) -> list[str]:
    """Return the sorted registry names, optionally only those estimating ``quantity``.

    Never imports an estimator.

    Examples
    --------
    >>> available_methods("entropy")
    ['binning', 'gaussian', 'kl', 'matrix_renyi', 'miller_madow', 'plugin']
    """
    names = sorted(_METHODS)
    if quantity is None:
        return names
    check_choice(quantity, INFORMATION_QUANTITIES, name="quantity")
    return [name for name in names if quantity in _METHODS[name].quantities]


def get_estimator_class(method: str) -> type[Estimator]:
    """Return the estimator class registered as ``method`` (imported on first use).

    Raises
    ------
    ImportError
        (:class:`~infolens.exceptions.MissingExtraError`) if the method needs an extra that is not
        installed; the message names the ``pip install`` command.
    """
    record = get_method(method)
    module_name, class_name = record.target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        if record.extra is None:
            raise
        raise MissingExtraError(
            f"Method {method!r} needs the {record.extra!r} extra: "
            f'pip install "infolens[{record.extra}]" ({err}).'
        ) from err
    cls: type[Estimator] = getattr(module, class_name)
    return cls


def make_estimator(method: str, quantity: Quantity | None = None, **params: Any) -> Estimator:
    """Instantiate the estimator ``method`` with ``params``, checking it can estimate ``quantity``.

    Raises
    ------
    ValueError
        If the method is unknown, does not estimate ``quantity``, or gets unknown parameters.
    """
    record = get_method(method)
    if quantity is not None and quantity not in record.quantities:
        others = ", ".join(repr(m) for m in available_methods(quantity))
        raise UnsupportedQuantityError(
            f"Method {method!r} does not estimate {QUANTITY_WORDS[quantity]}. "
            f"Methods that do: {others}."
        )
    cls = get_estimator_class(method)
    accepted = [f.name for f in dataclasses.fields(cls) if f.name not in record.params]  # type: ignore[arg-type]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        preset = [p for p in unknown if p in record.params]
        why = f" ({', '.join(map(repr, preset))} fixed by the method)" if preset else ""
        raise InvalidParameterError(
            f"Unknown parameter(s) {', '.join(repr(p) for p in unknown)} for method {method!r}"
            f"{why}. Accepted: {', '.join(repr(p) for p in accepted) or 'none'}."
        )
    estimator = cls(**record.params, **params)
    for quantity_name in record.quantities:  # a record must not promise what the class lacks
        if not isinstance(estimator, PROTOCOLS[quantity_name]):
            raise InvalidParameterError(
                f"Method {method!r} is registered for {QUANTITY_WORDS[quantity_name]} but "
                f"{cls.__name__} has no {quantity_name}() method."
            )
    return estimator


#: Methods whose module needs torch, and what they estimate (known without importing them).
TORCH_METHODS: Mapping[str, tuple[Quantity, ...]] = MappingProxyType(
    {m.name: m.quantities for m in _BUILTIN if m.extra == "torch"}
)
