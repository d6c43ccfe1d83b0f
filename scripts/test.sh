#!/usr/bin/env bash
# Set up a virtual environment with the dev extras (torch from the pinned CPU build, installed
# first), then run the format check, the linter, the type checker and the test suite.
source "$(dirname "$0")/_venv.sh"
"${PIP[@]}" torch==2.13.0
"${PIP[@]}" -e '.[dev,torch]'
"$VENV/bin/ruff" format --check .
"$VENV/bin/ruff" check .
"$VENV/bin/mypy"
"$VENV/bin/pytest" "$@"
