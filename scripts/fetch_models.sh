#!/usr/bin/env bash
# Builds the model zoo in models/: MediaPipe models from npm, generated Keras models, LiteRT variants, index.json.
# Needs the .venv (scripts/setup.sh makes it). Each step skips work already done (sha256-checked).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${HETSCHED_PYTHON:-$ROOT/.venv/bin/python}"
cd "$ROOT"
"$PY" scripts/fetch_mediapipe.py
"$PY" scripts/gen_zoo.py
for m in $("$PY" -c 'import sys; sys.path.insert(0, "scripts"); import zoo_manifest as z; print(*z.CUSTOM_TRANSPOSE_MODELS)'); do
  "$PY" scripts/replace_custom_transpose.py "models/$m.tflite"
done
"$PY" scripts/make_index.py
