"""A :class:`Task` is a named sampler with a stable id; the ground truth comes from the sampler."""

import warnings
from dataclasses import dataclass
from typing import final

from infolens._typing import FloatArray, Quantity, RNGLike
from infolens.benchmark.samplers import ConditionalSampler, Sampler
from infolens.exceptions import UnsupportedQuantityError


@final
@dataclass(frozen=True, kw_only=True)
class Task:
    """A named benchmark sampler.

    Attributes
    ----------
    task_id : str
        Stable id encoding the construction (bmi's ids for bmi's tasks).
    name : str
        Human-readable name.
    sampler : Sampler or ConditionalSampler
        The distribution; its exact (conditional) MI is the ground truth.
    suite : str
        ``"bmi"`` for the 40 tasks of the bmi benchmark, ``"infolens"`` for ours.

    Examples
    --------
    >>> from infolens.benchmark import get_task
    >>> task = get_task("1v1-normal-0.75")
    >>> task.quantity, task.dim_x, task.dim_y, round(task.truth, 4)
    ('mutual_information', 1, 1, 0.4133)
    >>> cmi = get_task("cmi-normal-direct-1-1-1")
    >>> cmi.quantity, round(cmi.truth, 4)
    ('conditional_mutual_information', 0.3466)
    >>> [a.shape for a in task.sample(5, rng=0)]
    [(5, 1), (5, 1)]
    """

    task_id: str
    name: str
    sampler: Sampler | ConditionalSampler
    suite: str = "infolens"

    @property
    def quantity(self) -> Quantity:
        """``"mutual_information"`` or ``"conditional_mutual_information"`` (I(X; Y | Z))."""
        if isinstance(self.sampler, ConditionalSampler):
            return "conditional_mutual_information"
        return "mutual_information"

    @property
    def dim_x(self) -> int:
        """Dimension of ``X``."""
        return self.sampler.dim_x

    @property
    def dim_y(self) -> int:
        """Dimension of ``Y``."""
        return self.sampler.dim_y

    @property
    def dim_z(self) -> int:
        """Dimension of ``Z`` (0 for plain MI tasks)."""
        return self.sampler.dim_z if isinstance(self.sampler, ConditionalSampler) else 0

    @property
    def truth(self) -> float:
        """The exact value of the task's :attr:`quantity` in nats: I(X; Y), or I(X; Y | Z)."""
        if isinstance(self.sampler, ConditionalSampler):
            return self.sampler.conditional_mutual_information()
        return self.sampler.mutual_information()

    def ground_truth(self) -> float:
        """Return :attr:`truth`, the exact value of :attr:`quantity` in nats."""
        return self.truth

    @property
    def mutual_information(self) -> float:
        """Deprecated: the exact I(X; Y) of a mutual-information task; use :attr:`truth`.

        Raises
        ------
        ValueError
            :class:`~infolens.exceptions.UnsupportedQuantityError` for a conditional-MI task,
            whose ground truth is I(X; Y | Z), not I(X; Y) (this attribute used to return the
            CMI there).
        """
        if isinstance(self.sampler, ConditionalSampler):
            raise UnsupportedQuantityError(
                f"Task {self.task_id!r} is a conditional mutual information task: its ground "
                "truth is I(X; Y | Z), and its I(X; Y) is not known. Use task.truth (the exact "
                "value of task.quantity) instead of task.mutual_information."
            )
        warnings.warn(
            "Task.mutual_information is deprecated and will be removed; use Task.truth, the "
            "exact value of Task.quantity in nats.",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.truth

    def sample(self, n: int, rng: RNGLike = None) -> tuple[FloatArray, ...]:
        """Draw ``n`` samples: ``(x, y)``, or ``(x, y, z)`` for CMI tasks (float64, 2-D)."""
        return tuple(self.sampler.sample(n, rng))
