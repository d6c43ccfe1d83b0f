"""The accuracy tasks of issue 14: high MI (5–10 nats, ≤ 10 dims) and synthetic images.

Kept apart from :mod:`infolens.benchmark.suite` (bmi's 40 tasks and infolens' own) so that the
suite stays small; ``benchmarks/accuracy_auto.py`` runs them. ``TUNING_BMI_TASKS`` and
``HELD_OUT_BMI_TASKS`` name the split of bmi's tasks used to tune ``method="auto"``
(``docs/accuracy.md``).
"""

from infolens.benchmark.samplers import CorrelatedPairs, SplitStudentT, student_correction
from infolens.benchmark.samplers.high_mi import UniformNoiseCube
from infolens.benchmark.samplers.images import IMAGE_MI_GRID, GaussianBlobs, Rectangles
from infolens.benchmark.tasks import Task

HIGH_MI_GRID = (5.0, 7.5, 10.0)


def _gaussian(d: int, mi: float) -> Task:
    return Task(
        task_id=f"highmi-pairs-{d}-{d}-{mi:g}",
        name=f"Correlated Gaussian pairs {d} × {d}, MI {mi:g}",
        sampler=CorrelatedPairs(dim=d, mi=mi),
    )


def _uniform(d: int, mi: float) -> Task:
    return Task(
        task_id=f"highmi-uniform-{d}-{d}-{mi:g}",
        name=f"Uniform cube + uniform noise {d} × {d}, MI {mi:g}",
        sampler=UniformNoiseCube(dim=d, mi=mi),
    )


def _student(d: int, df: int, mi: float) -> Task:
    gaussian = CorrelatedPairs(dim=d, mi=mi - student_correction(d, d, df))
    return Task(
        task_id=f"highmi-student-{d}-{d}-{df}-{mi:g}",
        name=f"Student-t pairs {d} × {d} (dof={df}), MI {mi:g}",
        sampler=SplitStudentT(gaussian=gaussian, df=df),
    )


def _images() -> tuple[Task, ...]:
    blobs = [
        Task(
            task_id=f"image-blobs-16-{mi:g}",
            name=f"Gaussian blobs 16 × 16, MI {mi:g}",
            sampler=GaussianBlobs(mi=mi),
        )
        for mi in IMAGE_MI_GRID
    ]
    rectangles = [
        Task(
            task_id=f"image-rectangles-32-{mi:g}",
            name=f"Rectangles 32 × 32, MI {mi:g}",
            sampler=Rectangles(mi=mi),
        )
        for mi in IMAGE_MI_GRID
    ]
    return tuple(blobs + rectangles)


#: High-MI tasks: Gaussian pairs (1, 2, 5 dims per variable), uniform noise (1, 2, 5) and
#: Student-t (2 dims, dof 3), each at 5, 7.5 and 10 nats.
HIGH_MI_TASKS: tuple[Task, ...] = tuple(
    [_gaussian(d, mi) for d in (1, 2, 5) for mi in HIGH_MI_GRID]
    + [_uniform(d, mi) for d in (1, 2, 5) for mi in HIGH_MI_GRID]
    + [_student(2, 3, mi) for mi in HIGH_MI_GRID]
)
#: Image tasks: blobs 16 × 16 and rectangles 32 × 32 at MI 0.1, 1, 2.5, 5, 7.5, 10 nats.
IMAGE_TASKS: tuple[Task, ...] = _images()
#: Every accuracy task, by id.
ACCURACY_TASKS: dict[str, Task] = {t.task_id: t for t in HIGH_MI_TASKS + IMAGE_TASKS}


def _bmi_split() -> tuple[tuple[str, ...], tuple[str, ...]]:
    from infolens.benchmark.suite import list_tasks

    ids = list_tasks("bmi")
    return (
        tuple(t for i, t in enumerate(ids) if i % 3 != 0),
        tuple(t for i, t in enumerate(ids) if i % 3 == 0),
    )


#: bmi tasks looked at while tuning ``auto`` (positions 1, 2, 4, 5, 7, … in bmi's order: 26).
#: The other 14 (every third from the first) were never run while tuning.
TUNING_BMI_TASKS, HELD_OUT_BMI_TASKS = _bmi_split()
#: Accuracy tasks looked at while tuning (a few runs of the compression on blobs, and the
#: correlated Gaussian pairs for LNC); all others are held out.
TUNING_ACCURACY_TASKS: tuple[str, ...] = tuple(
    t for t in ACCURACY_TASKS if t.startswith(("image-blobs-", "highmi-pairs-"))
)


def truth(task: Task) -> float:
    """Return the exact MI of ``task`` in nats (from its sampler)."""
    return float(task.sampler.mutual_information())  # type: ignore[union-attr]
