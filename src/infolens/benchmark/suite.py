"""The benchmark suite as plain module constants: bmi's 40 tasks and infolens' own.

``BMI_TASKS`` reproduces the 40 tasks of the bmi benchmark (Czyż et al., NeurIPS 2023) with the
same ids and ground truth; ``INFOLENS_TASKS`` adds high-MI, heavy-tailed, conditional,
discrete–continuous and tied (quantised) tasks.
"""

import fnmatch
from collections.abc import Iterable, Sequence

import numpy as np

from infolens.benchmark.samplers import (
    AdditiveUniform,
    Asinh,
    ConditionalMultinormal,
    CorrelatedPairs,
    DiscreteGaussianMixture,
    DiscreteUniformShift,
    HalfCube,
    MixtureQuantile,
    NormalCDF,
    QuantisedNormal,
    Sampler,
    Spiral,
    SplitMultinormal,
    SplitStudentT,
    SwissRoll,
    Transform,
    TransformedConditionalSampler,
    TransformedSampler,
    Wiggly,
    dense_covariance,
    linear_model_covariance,
    sparse_covariance,
    student_correction,
)
from infolens.benchmark.tasks import Task
from infolens.exceptions import InvalidParameterError

SUITES = ("bmi", "infolens")


def _bmi(task_id: str, name: str, sampler: Sampler) -> Task:
    return Task(task_id=task_id, name=name, sampler=sampler, suite="bmi")


def _transformed(prefix: str, task: Task, tx: Transform, ty: Transform | None = None) -> Task:
    assert isinstance(task.sampler, Sampler)  # noqa: S101 - construction-time invariant
    sampler = TransformedSampler(base=task.sampler, transform_x=tx, transform_y=ty or tx)
    return Task(
        task_id=f"{prefix}-{task.task_id}",
        name=f"{prefix} @ {task.name}",
        sampler=sampler,
        suite=task.suite,
    )


def _spiral(task: Task) -> Task:
    dx, dy = task.dim_x, task.dim_y
    return _transformed(
        "spiral", task, Spiral(i=0, j=1, speed=1.0 / dx), Spiral(i=1, j=2, speed=1.0 / dy)
    )


def _normal(
    dim_x: int, dim_y: int, covariance: np.ndarray[tuple[int, int], np.dtype[np.float64]]
) -> SplitMultinormal:
    return SplitMultinormal(dim_x=dim_x, dim_y=dim_y, covariance=covariance)


def _student(dim_x: int, dim_y: int, df: int) -> Task:
    gaussian = _normal(dim_x, dim_y, np.eye(dim_x + dim_y))
    return _bmi(
        f"student-identity-{dim_x}-{dim_y}-{df}",
        f"Student-t {dim_x} × {dim_y} (dof={df})",
        SplitStudentT(gaussian=gaussian, df=df),
    )


def _dense(d: int) -> Task:
    return _bmi(
        f"multinormal-dense-{d}-{d}-0.5",
        f"Multinormal {d} × {d} (dense)",
        _normal(d, d, dense_covariance(d, d, 0.5)),
    )


def _sparse(d: int) -> Task:
    return _bmi(
        f"multinormal-sparse-{d}-{d}-2-2.0",
        f"Multinormal {d} × {d} (2-pair)",
        _normal(d, d, sparse_covariance(d, d, 2, 2.0)),
    )


def _build_bmi() -> tuple[Task, ...]:
    binormal = _bmi(
        "1v1-normal-0.75", "Bivariate normal 1 × 1", _normal(1, 1, dense_covariance(1, 1, 0.75))
    )
    uniform = _transformed("normal_cdf", binormal, NormalCDF())
    bimodal = Task(
        task_id="1v1-bimodal-0.75",
        name="Bimodal 1 × 1",
        sampler=TransformedSampler(
            base=uniform.sampler,  # type: ignore[arg-type]
            transform_x=MixtureQuantile(weights=(0.3, 0.7), means=(0.0, 5.0)),
            transform_y=MixtureQuantile(weights=(0.5, 0.5), means=(-1.0, 3.0)),
        ),
        suite="bmi",
    )
    swissroll = Task(
        task_id=f"swissroll_x-{uniform.task_id}",
        name="Swiss roll 2 × 1",
        sampler=TransformedSampler(base=uniform.sampler, transform_x=SwissRoll()),  # type: ignore[arg-type]
        suite="bmi",
    )
    bistudent = _student(1, 1, 1)
    one_dim = [
        binormal,
        uniform,
        _bmi(
            "1v1-additive-0.1", "Uniform 1 × 1 (additive noise=0.1)", AdditiveUniform(epsilon=0.1)
        ),
        _bmi(
            "1v1-additive-0.75",
            "Uniform 1 × 1 (additive noise=0.75)",
            AdditiveUniform(epsilon=0.75),
        ),
        bimodal,
        _transformed("wiggly", binormal, Wiggly(variant="x"), Wiggly(variant="y")),
        _transformed("half_cube", binormal, HalfCube()),
        bistudent,
        _transformed("asinh", bistudent, Asinh()),
        swissroll,
    ]
    normal = [_dense(d) for d in (2, 3, 5, 25, 50)] + [_sparse(d) for d in (2, 3, 5, 25)]
    student = [_student(d, d, df) for d, df in ((2, 1), (2, 2), (3, 2), (3, 3), (5, 2), (5, 3))]
    bases = [_sparse(d) for d in (3, 5, 25)]
    transformed = (
        [_transformed("normal_cdf", b, NormalCDF()) for b in bases]
        + [_transformed("half_cube", b, HalfCube()) for b in bases]
        + [_spiral(b) for b in bases]
        + [_spiral(_transformed("normal_cdf", b, NormalCDF())) for b in bases]
        + [_transformed("asinh", _student(d, d, df), Asinh()) for d, df in ((2, 1), (3, 2), (5, 2))]
    )
    return tuple(one_dim + normal + student + transformed)


def _high_mi(d: int, mi: float) -> Task:
    return Task(
        task_id=f"highmi-normal-{d}-{d}-{mi}",
        name=f"Correlated Gaussian pairs {d} × {d}, MI {mi:g}",
        sampler=CorrelatedPairs(dim=d, mi=mi),
    )


def _high_mi_student(d: int, df: int, mi: float) -> Task:
    # Choose the Gaussian part so that the total (Gaussian + Student-t correction) is exactly mi.
    gaussian = CorrelatedPairs(dim=d, mi=mi - student_correction(d, d, df))
    return Task(
        task_id=f"highmi-student-{d}-{d}-{df}-{mi}",
        name=f"Student-t pairs {d} × {d} (dof={df}), MI {mi:g}",
        sampler=SplitStudentT(gaussian=gaussian, df=df),
    )


def _cmi(task_id: str, name: str, d: int, mixing: list[list[float]]) -> Task:
    matrix = np.kron(np.asarray(mixing, dtype=np.float64), np.eye(d))
    sampler = ConditionalMultinormal(
        dim_x=d, dim_y=d, dim_z=d, covariance=linear_model_covariance(matrix)
    )
    return Task(task_id=f"cmi-normal-{task_id}-{d}-{d}-{d}", name=name, sampler=sampler)


# Rows: X, Y, Z as combinations of independent standard normal noises (e1, e2, e3), per dim.
_CHAIN = [[1.0, 0.0, 0.0], [1.0, 1.0, 1.0], [1.0, 0.0, 1.0]]  # X -> Z -> Y: CMI = 0
_DIRECT = [[1.0, 0.0, 1.0], [1.0, 1.0, 2.0], [0.0, 0.0, 1.0]]  # Z -> X, Z -> Y, X -> Y
_COLLIDER = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.5]]  # X -> Z <- Y


def _build_infolens() -> tuple[Task, ...]:
    high = [_high_mi(d, mi) for d in (1, 3, 10) for mi in (2.0, 5.0, 10.0, 20.0)]
    heavy = [_high_mi_student(d, 3, mi) for d in (1, 3) for mi in (2.0, 5.0, 10.0)] + [
        _transformed("half_cube", _high_mi(d, mi), HalfCube()) for d in (1, 3) for mi in (5.0, 10.0)
    ]
    direct = _cmi("direct", "Gaussian CMI, common cause + direct link", 1, _DIRECT)
    collider = _cmi("collider", "Gaussian CMI, collider", 1, _COLLIDER)
    cmi = [
        _cmi("chain", "Gaussian CMI, Markov chain (zero)", 1, _CHAIN),
        direct,
        collider,
        _cmi("direct", "Gaussian CMI 3 × 3 | 3, direct link", 3, _DIRECT),
        Task(
            task_id=f"half_cube-{direct.task_id}",
            name=f"half_cube @ {direct.name}",
            sampler=TransformedConditionalSampler(base=direct.sampler, transform=HalfCube()),  # type: ignore[arg-type]
        ),
        Task(
            task_id=f"normal_cdf-{collider.task_id}",
            name=f"normal_cdf @ {collider.name}",
            sampler=TransformedConditionalSampler(base=collider.sampler, transform=NormalCDF()),  # type: ignore[arg-type]
        ),
    ]
    mixed = [
        Task(
            task_id="discrete-shift-2",
            name="Discrete X (2) + uniform Y",
            sampler=DiscreteUniformShift(m=2),
        ),
        Task(
            task_id="discrete-shift-5",
            name="Discrete X (5) + uniform Y",
            sampler=DiscreteUniformShift(m=5),
        ),
        Task(
            task_id="discrete-mixture-3-1.0-1",
            name="Discrete X (3) + Gaussian Y, spacing 1",
            sampler=DiscreteGaussianMixture(means=(0.0, 1.0, 2.0)),
        ),
        Task(
            task_id="discrete-mixture-4-2.0-5",
            name="Discrete X (4) + 5-dim Gaussian Y, spacing 2",
            sampler=DiscreteGaussianMixture(means=(0.0, 2.0, 4.0, 6.0), dim_y=5),
        ),
    ]
    ties = [
        Task(
            task_id=f"ties-{axes}{width}-1v1-normal-{rho}",
            name=f"Rounded {axes.upper()} (width {width}) @ bivariate normal {rho}",
            sampler=QuantisedNormal(
                rho=rho, width_x=width, width_y=width if axes == "xy" else None
            ),
        )
        for axes, width, rho in (
            ("x", 0.5, 0.75),
            ("x", 1.0, 0.75),
            ("xy", 0.5, 0.75),
            ("xy", 1.0, 0.75),
            ("xy", 0.25, 0.9),
        )
    ]
    return tuple(high + heavy + cmi + mixed + ties)


#: The 40 tasks of the bmi benchmark, in bmi's order.
BMI_TASKS: tuple[Task, ...] = _build_bmi()
#: infolens' own tasks.
INFOLENS_TASKS: tuple[Task, ...] = _build_infolens()
#: Every task, by id.
TASKS: dict[str, Task] = {task.task_id: task for task in BMI_TASKS + INFOLENS_TASKS}


def list_tasks(suite: str | None = None) -> list[str]:
    """Return the task ids (bmi's first, in bmi's order), optionally of one suite.

    Parameters
    ----------
    suite : {"bmi", "infolens"} or None, default=None
        Restrict to one suite.

    Returns
    -------
    list of str
        Task ids.

    Examples
    --------
    >>> len(list_tasks("bmi")), list_tasks()[0]
    (40, '1v1-normal-0.75')
    """
    if suite is None:
        return list(TASKS)
    if suite not in SUITES:
        raise InvalidParameterError(
            f"Unknown suite {suite!r}. Available: {', '.join(repr(s) for s in SUITES)}."
        )
    return [tid for tid, task in TASKS.items() if task.suite == suite]


def get_task(task_id: str) -> Task:
    """Return the task ``task_id``.

    Raises
    ------
    ValueError
        If there is no such task (the message lists the valid ids).

    Examples
    --------
    >>> round(get_task("1v1-additive-0.1").truth, 4)
    1.7094
    """
    if task_id not in TASKS:
        raise InvalidParameterError(
            f"Unknown task {task_id!r}. Available: {', '.join(repr(t) for t in TASKS)}."
        )
    return TASKS[task_id]


def select_tasks(patterns: str | Iterable[str]) -> list[str]:
    """Return the ids matching comma-separated globs, exact ids or suite names, in suite order.

    Examples
    --------
    >>> select_tasks("1v1-*")[:2]
    ['1v1-normal-0.75', '1v1-additive-0.1']
    >>> len(select_tasks("bmi"))
    40
    """
    items: Sequence[str] = (
        [p.strip() for p in patterns.split(",")] if isinstance(patterns, str) else list(patterns)
    )
    chosen: set[str] = set()
    for item in (p for p in items if p):
        if item in SUITES:
            chosen.update(list_tasks(item))
            continue
        matches = [tid for tid in TASKS if fnmatch.fnmatchcase(tid, item)]
        if not matches:
            raise InvalidParameterError(
                f"Unknown task {item!r} (no task id matches it). Suites: 'bmi', 'infolens'. "
                f"Available: {', '.join(repr(t) for t in TASKS)}."
            )
        chosen.update(matches)
    if not chosen:
        raise InvalidParameterError("No tasks selected: give task ids, globs or a suite name.")
    return [tid for tid in TASKS if tid in chosen]
