#!/usr/bin/env bash
# experiments/ on the GPU machine (16-core Xeon + NVIDIA H100/H200), split over device calls
# (each <= 600 s and <= 64 MiB carried): every call runs a budgeted slice with --only/--models and
# resumes from the CSVs already in the results folder, which travels back and forth as untracked
# files of the working tree.
#
# On the development machine, from a normal checkout (../shared/device/prepare.sh needs a real .git):
#   bash experiments/device_run.sh pack
# builds hetsched, hetsched_gpu_load and split_sweep (Release), fills .device/ (prepare.sh), bundles
# stress-ng (bench/load_device.sh pack: .device/stress-ng.tar.xz) and the cp312 wheel of the Python
# package (scripts/python_device_pack.sh: .whl/). The models travel as timing twins in .xfer-twins
# (scripts/timing_twin.py: same graphs, compressible weights, 1.1 MB for the whole zoo; outputs are
# not the originals', latencies are: bench/timing_twin_check.py), with E1/E6's generated
# architectures (made here: the GPU machine has no TensorFlow), unpacked there into $HS_HOME/models
# and the results' .cache/archs.
# Then, per device call, carry [".device", ".whl", ".xfer-twins"] and run from the project root there:
#   bash experiments/device_run.sh run [run.sh options]        e.g.
#   bash experiments/device_run.sh run --only E1 --models mobilenet_v2,selfie_segmentation
# Output: $OUT/experiments_<machine>_<date>.tar.gz (CSVs, plots, REPORT.md). Unpack it into
# experiments/results/ here; the next call resumes from it when RESULTS names it:
#   RESULTS=experiments/results/h100-16core_2026-12-06 bash experiments/device_run.sh run --only E5
# Knobs: HS_HOME (/root/hs), RESULTS (results folder to resume; copied into $OUT at the end),
#   BUDGET_S (540: run.sh stops starting configurations after it; the rest resumes next call).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/device_common.sh"  # ROOT, and runs from there
HS_HOME="${HS_HOME:-/root/hs}"

if [[ ${1:-} == pack ]]; then
  set -e
  bash bench/load_device.sh pack            # hetsched, load_scenario, hetsched_gpu_load, stress-ng
  device_pack_targets split_sweep -- split_sweep
  bash scripts/python_device_pack.sh || echo "device_run: no cp312 wheel: experiments will time through the CLI (E3's breakdown and E7's energy need the package)"
  device_xfer_twins .xfer-twins
  archs=.cache/experiments-archs  # E1/E6's generated architectures, as experiments/run.py makes them
  .venv/bin/python -c "import sys; from pathlib import Path; sys.path.insert(0, 'experiments'); import run
run.generate_archs(Path(sys.argv[1]), 3)" "$archs"  # run.py's --generated default
  .venv/bin/python scripts/timing_twin.py pack .xfer-twins/archs "$archs"/*.tflite 2>> .xfer-twins/twins.log
  du -sh .device .whl .xfer-twins 2>/dev/null | sed 's/^/device_run: /'
  echo "device_run: carry [\".device\", \".whl\", \".xfer-twins\"]; run: bash experiments/device_run.sh run [--only E1 ...]"
  exit 0
fi
[[ ${1:-} == run ]] && shift

# --- on the GPU machine ---
device_machine_env experiments
export MPLBACKEND=Agg
device_unpack_stress_ng
[[ -x $HS_HOME/stress-ng/stress-ng ]] && export STRESS_NG="$HS_HOME/stress-ng/stress-ng"
wheel=$(ls -1 .whl/hetsched-*-cp312-*.whl 2>/dev/null | head -1)
if [[ -n $wheel && ! -d .pyhs ]]; then python3 -m zipfile -e "$wheel" .pyhs; fi
[[ -d .pyhs ]] && export PYTHONPATH="$ROOT/.pyhs"
models=models
[[ -f models/index.json ]] || models="$HS_HOME/models"
results="${RESULTS:-}"
if [[ -z $results ]]; then
  results="$HS_HOME/experiments"   # kept on the machine between calls while it stays warm
fi
mkdir -p "$results"
if [[ -d .xfer-twins ]]; then  # the timing twins of the zoo and of the generated architectures
  models="$HS_HOME/models"
  device_unpack_twins .xfer-twins "$models"
  python3 scripts/timing_twin.py unpack .xfer-twins/archs "$results/.cache/archs"
fi
# The GPU machine's python3 has numpy, matplotlib and pytest; the package comes from the wheel.
bash .device/enter.sh python3 experiments/run.py --bin .device/bin --models-dir "$models" --out "$results" \
  --budget-s "${BUDGET_S:-540}" "$@"
rc=$?
name=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(m['host_slug'] + '_' + m['date_utc'].split()[0])" \
  "$results/machine.json" 2>/dev/null || echo gpu-machine)
# Everything but the caches (tuning, pipelines, plans, generated architectures) comes back, as one
# archive: the device tool returns at most 8 files (unpack it into experiments/results/ here).
mkdir -p "$OUT"
tar -C "$results" --exclude=./.cache -czf "$OUT/experiments_$name.tar.gz" .
echo "device_run: exit $rc; results in $OUT/experiments_$name.tar.gz ($(du -sh "$OUT/experiments_$name.tar.gz" | cut -f1))"
exit $rc
