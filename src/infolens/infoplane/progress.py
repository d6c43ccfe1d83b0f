"""Progress events of tracking, estimation and the reproductions (numpy only, no rich).

The library never draws a bar: every long-running entry point takes ``progress=``, a callable
that receives :class:`Progress` events (and, from the reproductions, plain ``str`` notes). The
command line turns them into a rich progress bar with an ETA; anything else (a notebook, a
logger) can print or store them.
"""

import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, TypeAlias

#: ``"training"`` and ``"estimating"`` carry ``done``/``total``; a ``"note"`` only its message.
Stage: TypeAlias = Literal["training", "estimating", "note"]


@dataclass(frozen=True)
class Progress:
    """One progress event: ``done`` of ``total`` units of ``task`` (``total`` None: unknown).

    Examples
    --------
    >>> Progress("training", "seed 0", 3, 10).fraction
    0.3
    """

    stage: Stage
    task: str
    done: int = 0
    total: int | None = None
    message: str = ""

    @property
    def fraction(self) -> float | None:
        """``done / total``, or None when the total is unknown."""
        return None if not self.total else self.done / self.total


#: What ``progress=`` accepts: a callable taking a :class:`Progress` (or a ``str`` note).
ProgressCallback: TypeAlias = Callable[[Progress | str], None]

_FILE = "progress.json"


def file_progress(folder: str | Path, *, every_s: float = 0.5) -> ProgressCallback:
    """Return a callback that keeps the latest event in ``folder/progress.json`` (atomically).

    Worker processes use it so that their parent can show their progress
    (:func:`watch_progress_files`); notes are always written, other events at most every
    ``every_s`` seconds and at the last unit.
    """
    path = Path(folder) / _FILE
    until = [0.0]  # no ordinary event overwrites the file before this time

    def write(event: Progress | str) -> None:
        if isinstance(event, str):
            event = Progress("note", "", message=event)
        now = time.monotonic()
        final = event.total is not None and event.done >= event.total
        if event.stage != "note" and not final and now < until[0]:
            return
        # a note stays long enough for the parent's poll (every ``every_s``) to see it
        until[0] = now + (3 * every_s if event.stage == "note" else every_s)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(event)))
        tmp.replace(path)

    return write


def read_progress_file(folder: str | Path) -> Progress | None:
    """Return the event kept in ``folder/progress.json``, or None if there is none (yet)."""
    try:
        fields = json.loads((Path(folder) / _FILE).read_text())
        return Progress(**fields)
    except (OSError, ValueError, TypeError):
        return None


@contextmanager
def watch_progress_files(
    folders: Mapping[str, Path], progress: ProgressCallback | None, *, every_s: float = 0.5
) -> Iterator[None]:
    """Forward the events that workers write into ``folders`` to ``progress`` while in the block.

    Each folder's events are re-labelled with its key (e.g. ``"tanh-seed0"``); notes are
    forwarded once each. Nothing runs when ``progress`` is None.
    """
    if progress is None:
        yield
        return
    stop = threading.Event()
    seen: dict[str, Progress] = {}
    for key, folder in folders.items():
        before = read_progress_file(folder)
        if before is not None and before.stage == "training" and before.total:
            seen[key] = before
            progress(
                f"{key}: an earlier run reached epoch {before.done} of {before.total}; its "
                "checkpoint and saved epochs are reused, not recomputed"
            )
            progress(Progress(before.stage, key, before.done, before.total))

    def poll() -> None:
        for key, folder in folders.items():
            event = read_progress_file(folder)
            if event is None or seen.get(key) == event:
                continue
            seen[key] = event
            if event.stage == "note":
                progress(f"{key}: {event.message}")
            else:
                progress(Progress(event.stage, key, event.done, event.total, event.message))

    def loop() -> None:
        while not stop.wait(every_s):
            poll()

    thread = threading.Thread(target=loop, name="infolens-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        poll()


__all__ = [
    "Progress",
    "ProgressCallback",
    "file_progress",
    "read_progress_file",
    "watch_progress_files",
]
