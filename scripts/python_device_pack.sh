#!/usr/bin/env bash
# On the development machine: prepares a run of the Python package on the GPU machine (Python 3.12,
# no network). Builds the cp312 wheel into .whl/ (scripts/python_wheel.sh with pyenv's python3.12),
# and fills .device/ with the shared libraries its extension needs (../shared/device/prepare.sh).
# Then on the GPU machine (carry .whl, .device and the models, e.g. with scripts/device_pack.sh's
# .xfer parts and scripts/device_unpack.sh):
#   bash scripts/python_device_run.sh            # installs the wheel into .pyhs/, runs the checks
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# A Python 3.12 here: $PY312, else pyenv's newest 3.12, else python3.12 on PATH.
if [[ -z ${PY312:-} ]]; then
  PY312=$(ls -1d "$(pyenv root 2>/dev/null || echo /root/.pyenv)"/versions/3.12*/bin/python3.12 2>/dev/null | tail -1)
  PY312=${PY312:-python3.12}
fi
grep -qx '/.whl/' .gitignore || grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> "$(git rev-parse --git-common-dir)/info/exclude"
rm -f .whl/hetsched-*-cp312-*.whl
bash scripts/python_wheel.sh "$PY312" "$ROOT/.whl"
wheel=$(ls -1 .whl/hetsched-*-cp312-*.whl | head -1)
tmp=$(mktemp -d)
"$PY312" -m zipfile -e "$wheel" "$tmp"
ext=$(ls "$tmp"/hetsched/_hetsched*.so)
bash "${SHARED_DIR:-$ROOT/../shared}/device/prepare.sh" "$ext"  # SHARED_DIR: where shared/ is, if not beside the repo
rm -rf "$tmp"
du -sh "$wheel" .device | sed 's/^/python_device_pack: /'
