"""Helpers the benchmark scripts share: running `hetsched run --json` and listing the zoo."""
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_hetsched(binary, model, policy, iterations, warmup, cache_dir, *extra, timeout=3600):
    """`hetsched run MODEL --json` with seed 1 and the given cache dir; its JSON summary.
    Raises RuntimeError with hetsched's last error line when it fails."""
    env = dict(os.environ, HETSCHED_CACHE_DIR=str(cache_dir))
    cmd = [str(binary), "run", str(model), "--json", "--policy", policy, "--iterations", str(iterations),
           "--warmup", str(warmup), "--seed", "1", *extra]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}")
    return json.loads(p.stdout)


def zoo_models(index_path, wanted=""):
    """(index entry, model path) for the runnable zoo models, optionally only the comma-separated names."""
    names = set(filter(None, wanted.split(",")))
    models_dir = Path(index_path).parent
    for m in json.load(open(index_path))["models"]:
        if m.get("expect_refused") or (names and m["name"] not in names):
            continue
        yield m, models_dir / Path(m["file"]).name
