"""Fixtures of the CLI tests: run the *installed* ``infolens`` script in a subprocess."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

RunCLI = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def run_cli() -> RunCLI:
    """Return ``run(*args, stdin=b"")``, which runs ``infolens *args`` and captures its output."""
    script = shutil.which("infolens", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.fail(
            f"The 'infolens' script is not installed next to {sys.executable}; "
            "install the package (pip install -e .) first."
        )
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "PYTHONWARNINGS"}}
    env.update(NO_COLOR="1", COLUMNS="120")

    def run(*args: object, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [script, *map(str, args)],
            input=stdin,
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        return subprocess.CompletedProcess(
            done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
        )

    return run
