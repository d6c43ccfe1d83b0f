#!/usr/bin/env bash
# Set up a virtual environment with the dev extras (torch from the pinned CPU build, installed
# first), then run the format check, the linter, the type checker and the test suite. The
# report tests render HTML in headless Chromium when it is installed (.ci/run installs it).
source "$(dirname "$0")/_venv.sh"
"${PIP[@]}" torch==2.13.0
"${PIP[@]}" -e '.[dev,torch,plot,dask]'
"$VENV/bin/ruff" format --check .
"$VENV/bin/ruff" check .
"$VENV/bin/mypy"
"$VENV/bin/pytest" "$@"
