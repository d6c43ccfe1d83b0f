"""Validation of torch inputs shared by :mod:`infolens.metrics` and :mod:`infolens.losses`.

Every error is an :mod:`infolens.exceptions` class and names the owner, the parameter, what was
expected and what was received. Finiteness checks read one boolean back from the device; the
accumulators count non-finite values in a state instead and raise in ``compute``.
"""

from typing import Any

import numpy as np
import torch

from infolens.exceptions import (
    InsufficientSamplesError,
    InvalidDataTypeError,
    InvalidInputError,
    InvalidParameterError,
)

__all__ = [
    "as_tensor",
    "check_finite",
    "check_labels",
    "check_matrix",
    "check_same_rows",
    "one_hot",
]


def as_tensor(data: Any, *, name: str, owner: str) -> torch.Tensor:
    """Return ``data`` as a floating torch tensor (numpy and lists become float64)."""
    if isinstance(data, torch.Tensor):
        tensor = data
    else:
        try:
            array = np.asarray(data)
        except (TypeError, ValueError) as err:
            raise InvalidInputError(
                f"Input {name} of {owner} must be a tensor or a rectangular array; it could not "
                f"be converted ({err})."
            ) from err
        if array.dtype.kind not in "biuf":
            raise InvalidDataTypeError(
                f"Input {name} of {owner} must contain real numbers; got dtype {array.dtype}."
            )
        tensor = torch.as_tensor(array.astype(np.float64))
    if tensor.is_complex():
        raise InvalidDataTypeError(
            f"Input {name} of {owner} must contain real numbers; got dtype {tensor.dtype}."
        )
    if not tensor.is_floating_point():
        tensor = tensor.to(torch.get_default_dtype())
    return tensor


def check_matrix(data: Any, *, name: str, owner: str, min_rows: int = 1) -> torch.Tensor:
    """Return ``data`` as a floating ``(n_samples, dim)`` tensor (1-D promoted to a column)."""
    tensor = as_tensor(data, name=name, owner=owner)
    if tensor.ndim == 1:
        tensor = tensor[:, None]
    if tensor.ndim != 2:
        raise InvalidInputError(
            f"Input {name} of {owner} must be 2-D (n_samples, dim); got shape "
            f"{tuple(tensor.shape)}."
        )
    if tensor.shape[1] == 0:
        raise InvalidInputError(
            f"Input {name} of {owner} has no features: expected at least one column; got shape "
            f"{tuple(tensor.shape)}."
        )
    if tensor.shape[0] < min_rows:
        raise InsufficientSamplesError(
            f"{owner} needs at least {min_rows} samples in {name}; got {tensor.shape[0]}."
        )
    return tensor


def check_finite(tensor: torch.Tensor, *, name: str, owner: str) -> None:
    """Raise :class:`InvalidInputError` if ``tensor`` holds NaN or infinity (one host read).

    A finite sum proves every entry finite (NaN and inf propagate) in one cheap reduction; only
    when the sum is not finite (a bad entry, or an overflow of huge finite values) is every
    entry checked.
    """
    if tensor.numel() == 0 or bool(torch.isfinite(tensor.detach().sum())):
        return
    if not bool(torch.isfinite(tensor).all()):
        bad = int((~torch.isfinite(tensor)).sum())
        what = "NaN" if bool(torch.isnan(tensor).any()) else "infinity"
        raise InvalidInputError(
            f"Input {name} of {owner} contains {what}: expected finite values; found {bad} "
            "non-finite value(s)."
        )


def check_same_rows(
    a: torch.Tensor, b: torch.Tensor, *, names: tuple[str, str], owner: str
) -> None:
    """Raise if two inputs do not have the same number of rows."""
    if a.shape[0] != b.shape[0]:
        raise InvalidInputError(
            f"Found input variables with inconsistent numbers of samples in {owner}: "
            f"{names[0]} has {a.shape[0]}, {names[1]} has {b.shape[0]}."
        )


def check_same_shape(
    a: torch.Tensor, b: torch.Tensor, *, names: tuple[str, str], owner: str
) -> None:
    """Raise if two inputs (e.g. the two views of a batch) differ in shape."""
    if a.shape != b.shape:
        raise InvalidInputError(
            f"Inputs {names[0]} and {names[1]} of {owner} must have the same shape; got "
            f"{tuple(a.shape)} and {tuple(b.shape)}."
        )


def check_labels(
    labels: Any, *, n_samples: int, owner: str, name: str = "labels", n_classes: int | None = None
) -> torch.Tensor:
    """Return ``labels`` as a 1-D int64 tensor of ``n_samples`` non-negative class indices."""
    tensor = labels if isinstance(labels, torch.Tensor) else torch.as_tensor(np.asarray(labels))
    if tensor.ndim == 2 and tensor.shape[1] == 1:
        tensor = tensor[:, 0]
    if tensor.ndim != 1:
        raise InvalidInputError(
            f"Input {name} of {owner} must be 1-D (n_samples,); got shape {tuple(tensor.shape)}."
        )
    if tensor.is_floating_point() or tensor.is_complex() or tensor.dtype == torch.bool:
        raise InvalidDataTypeError(
            f"Input {name} of {owner} must hold integer class indices; got dtype {tensor.dtype}."
        )
    if tensor.shape[0] != n_samples:
        raise InvalidInputError(
            f"Found input variables with inconsistent numbers of samples in {owner}: "
            f"{n_samples} samples but {tensor.shape[0]} {name}."
        )
    return tensor.long()


def check_label_range(labels: torch.Tensor, *, n_classes: int, owner: str, name: str) -> None:
    """Raise if a label is outside ``[0, n_classes)`` (one host read)."""
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= n_classes):
        raise InvalidInputError(
            f"Input {name} of {owner} must hold class indices in [0, {n_classes}); got values "
            f"in [{int(labels.min())}, {int(labels.max())}]."
        )


def one_hot(labels: torch.Tensor, n_classes: int, dtype: torch.dtype) -> torch.Tensor:
    """One-hot ``(n, n_classes)`` by comparison (unlike ``F.one_hot``, no device-side check)."""
    classes = torch.arange(n_classes, device=labels.device)
    return (labels[:, None] == classes[None, :]).to(dtype)


def check_real(value: object, *, name: str, owner: str, low: float = -np.inf) -> float:
    """Return ``value`` as a finite float ``>= low``; raise otherwise."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not np.isfinite(value)
        or value < low
    ):
        interval = "(-inf, inf)" if low == -np.inf else f"[{low:g}, inf)"
        raise InvalidParameterError(
            f"The '{name}' parameter of {owner} must be a finite float in the range {interval}. "
            f"Got {value!r} instead."
        )
    return float(value)
