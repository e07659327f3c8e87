# `experiments/run.sh --quick` end to end (issue #15 bullet 5; it checks the pipeline, not the
# numbers): every experiment's CSV has its columns and rows, every plot is a valid PNG (and has its
# SVG), REPORT.md has a section per experiment, nothing failed, and a second run resumes (skips
# everything it has). Budget: the quick run must finish in EXPERIMENTS_QUICK_BUDGET_S (300 s).
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "experiments"))
import run as runner  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_quick(out, *extra):
    b = Path(os.environ.get("HETSCHED_BIN", ROOT / "build" / "hetsched")).parent
    t0 = time.time()
    p = subprocess.run([str(ROOT / "experiments" / "run.sh"), "--quick", "--out", str(out), "--bin", str(b), *extra],
                       capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        pytest.fail(f"run.sh --quick exited {p.returncode}:\n{p.stderr[-4000:]}")
    return p, time.time() - t0


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("experiments_quick")
    p, seconds = run_quick(out)
    print(f"quick run: {seconds:.0f} s")
    return out, p, seconds


def test_quick_run_within_budget(quick):
    _, _, seconds = quick
    assert seconds < float(os.environ.get("EXPERIMENTS_QUICK_BUDGET_S", 300)), seconds


def test_every_csv_has_its_columns_and_rows(quick):
    out, p, _ = quick
    assert "0 configuration(s) failed" in p.stderr, p.stderr[-3000:]
    for exp in runner.EXPERIMENTS:
        path = out / runner.csv_name(exp)
        assert path.is_file(), path
        with open(path, newline="") as f:
            r = csv.DictReader(f)
            rows = list(r)
            assert r.fieldnames == exp.COLUMNS, (exp.NAME, r.fieldnames)
        assert not [x for x in rows if x["status"].startswith("error")], exp.NAME
        data = [x for x in rows if x["status"] == "ok"]
        assert data, f"{exp.NAME}: no measured rows"
        if "median_ms" in exp.COLUMNS:
            for x in data:
                if x.get("n") not in (None, ""):
                    assert float(x["min_ms"]) <= float(x["q1_ms"]) <= float(x["median_ms"]) <= float(x["q3_ms"]) \
                        <= float(x["max_ms"]), (exp.NAME, x)
                    assert float(x["median_ms"]) > 0, (exp.NAME, x)
    e1 = list(csv.DictReader(open(out / runner.csv_name(runner.e1_potential))))
    assert {(x["model"], x["policy"]) for x in e1} >= {(m, p) for m in runner.QUICK_MODELS for p in ("cpu", "gpu")}
    e5 = [x for x in csv.DictReader(open(out / runner.csv_name(runner.e5_environment))) if x["status"] == "ok"]
    busy = {x["phase"]: float(x["gpu_busy"]) for x in e5}
    assert busy["gpu90"] > 0.5 and busy["idle"] == 0  # the GPU load was verified


def test_plots_are_png_and_svg(quick):
    out, _, _ = quick
    pngs = sorted(out.glob("E*.png"))
    assert {p.name[:2] for p in pngs} == {e.NAME for e in runner.EXPERIMENTS}, [p.name for p in pngs]
    for p in pngs:
        assert p.read_bytes()[:8] == PNG_MAGIC, p
        assert p.with_suffix(".svg").read_text().lstrip().startswith(("<?xml", "<svg")), p


def test_report_has_a_section_per_experiment(quick):
    out, _, _ = quick
    rep = (out / "REPORT.md").read_text()
    for exp in runner.EXPERIMENTS:
        head = f"## {exp.NAME} {exp.TITLE}"
        assert head in rep, head
        body = rep.split(head, 1)[1].split("\n## ", 1)[0]
        assert "**Question.**" in body and "**Method.**" in body and "Analysis failed" not in body, exp.NAME
    assert "Not run" not in rep
    m = json.loads((out / "machine.json").read_text())
    assert m["cores"] == os.cpu_count() and "background_cpu_util_start" in m and m["quick"] is True


def test_second_run_resumes(quick):
    out, _, _ = quick
    before = {p.name: p.read_text() for p in out.glob("E*.csv")}
    p, seconds = run_quick(out, "--only", "E1,E4")
    assert "measuring" not in p.stderr and "have it, skipped" in p.stderr, p.stderr[-2000:]
    assert {n: (out / n).read_text() for n in before} == before
