#!/usr/bin/env bash
# The main job: set up a virtual environment with infolens, run the estimation demo on built-in
# synthetic data (estimates next to the exact values) and write demo-report.json.
source "$(dirname "$0")/_venv.sh"
"${PIP[@]}" -e .
"$VENV/bin/infolens" demo --output demo-report.json "$@"
