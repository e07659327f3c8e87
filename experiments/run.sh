#!/usr/bin/env bash
# experiments/run.sh: the study of issue #15 in one command (see experiments/run.py --help):
#   experiments/run.sh [--quick] [--only E1,E5] [--out DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${HETSCHED_PY:-$ROOT/.venv/bin/python}"
[[ -x $PY ]] || PY=python3
export PYTHONUNBUFFERED=1
exec "$PY" "$ROOT/experiments/run.py" "$@"
