#!/usr/bin/env bash
# The main job: set up a virtual environment with infolens and its torch and plot extras, then
# reproduce Shwartz-Ziv & Tishby's information plane (12-bit task, tanh network, 30 bins) at a
# laptop size and write the report to infoplane-tishby/report.html (plus summary.json,
# records.db and plane.png). The data are read from ../shared/data/var_u.mat (or pass --data).
# Extra arguments go to 'infolens infoplane reproduce' (e.g. --epochs 10000 --seeds 5).
source "$(dirname "$0")/_venv.sh"
"${PIP[@]}" torch==2.13.0
"${PIP[@]}" -e '.[torch,plot]'
"$VENV/bin/infolens" infoplane reproduce tishby --epochs 10000 --seeds 3 --out infoplane-tishby "$@"
