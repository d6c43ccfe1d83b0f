"""Ground-truth benchmark: tasks with known MI, a resumable runner, an SQLite store, a report.

Examples
--------
>>> from infolens import benchmark
>>> task = benchmark.get_task("multinormal-dense-2-2-0.5")
>>> round(task.truth, 4)
0.2939
>>> records = benchmark.run(["1v1-normal-0.75"], ["gaussian"], n=[500], seeds=[0])
>>> records[0].success, abs(records[0].estimate - records[0].truth) < 0.1
(True, True)
"""

from infolens.benchmark.runner import run
from infolens.benchmark.store import RunResult
from infolens.benchmark.suite import BMI_TASKS, INFOLENS_TASKS, get_task, list_tasks, select_tasks
from infolens.benchmark.tasks import Task

__all__ = [
    "BMI_TASKS",
    "INFOLENS_TASKS",
    "RunResult",
    "Task",
    "get_task",
    "list_tasks",
    "run",
    "select_tasks",
]
