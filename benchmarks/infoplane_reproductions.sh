#!/usr/bin/env bash
# Full-size information-plane reproductions (5 seeds x 10,000 epochs), as recorded in
# benchmarks/RESULTS.md. Training runs are shared: the tanh runs of R1 feed R3 and R4, the ReLU
# runs of R2 feed R4 and R6 (each reproduction resumes from the copied runs and only estimates).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-benchmarks/infoplane-runs}
RUN=(.venv/bin/infolens infoplane reproduce)
"${RUN[@]}" tishby --epochs 10000 --seeds 5 --out "$OUT/tishby"
"${RUN[@]}" saxe-relu --epochs 10000 --seeds 5 --out "$OUT/saxe-relu"
for name in bin-placement kde adaptive; do
  mkdir -p "$OUT/$name"
  cp -rn "$OUT"/tishby/tanh-seed* "$OUT"/saxe-relu/relu-seed* "$OUT/$name/"
done
for name in bin-placement adaptive kde; do
  "${RUN[@]}" "$name" --epochs 10000 --seeds 5 --out "$OUT/$name"
done
mkdir -p benchmarks/results
for name in tishby saxe-relu bin-placement kde adaptive; do
  cp "$OUT/$name/summary.json" "benchmarks/results/infoplane_${name}_10000x5.json"
done
