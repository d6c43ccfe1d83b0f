"""Fixtures of the CLI tests: run the *installed* ``infolens`` script in a subprocess."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from infolens.cli._kernels import NOTICE

RunCLI = Callable[..., subprocess.CompletedProcess[str]]

#: Runs ``infolens.cli:main`` in a fresh interpreter in which ``import torch`` fails.
_WITHOUT_TORCH = (
    "import sys; sys.modules['torch'] = None; sys.argv = ['infolens', *sys.argv[1:]]; "
    "from infolens.cli import main; main()"
)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "PYTHONWARNINGS"}}
    env.update(NO_COLOR="1", COLUMNS="120")
    return env


def _runner(command: list[str]) -> RunCLI:
    env = _environment()

    def run(
        *args: object, stdin: bytes = b"", extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*command, *map(str, args)],
            input=stdin,
            capture_output=True,
            env={**env, **(extra_env or {})},
            timeout=120,
            check=False,
        )
        return subprocess.CompletedProcess(
            done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
        )

    return run


@pytest.fixture(scope="session")
def run_cli() -> RunCLI:
    """Return ``run(*args, stdin=b"")``, which runs ``infolens *args`` and captures its output."""
    script = shutil.which("infolens", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.fail(
            f"The 'infolens' script is not installed next to {sys.executable}; "
            "install the package (pip install -e .) first."
        )
    return _runner([script])


@pytest.fixture(scope="session")
def run_without_torch() -> RunCLI:
    """Like :func:`run_cli`, in an interpreter where torch cannot be imported."""
    return _runner([sys.executable, "-c", _WITHOUT_TORCH])


def problems(stderr: str) -> list[str]:
    """Return the lines of ``stderr`` other than the one-time k-NN compile notice."""
    return [line for line in stderr.splitlines() if line.strip() and line.strip() != NOTICE]
