# experiments/analysis.py on small fixed CSVs (tests/experiments/fixtures_*.csv): the numbers the
# report prints are the ones these rows imply.
import math
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "experiments"))
import analysis  # noqa: E402
from common import read_csv, summarize  # noqa: E402


def test_summarize_median_and_quartiles():
    s = summarize([4, 1, 3, 2, 5])
    assert (s["n"], s["median_ms"], s["min_ms"], s["q1_ms"], s["q3_ms"], s["max_ms"]) == (5, 3, 1, 2, 4, 5)
    assert summarize([1, 2])["median_ms"] == 1.5


def test_potential_gains_and_ideal_bound():
    pot = {(p["model"], p["threads"]): p for p in analysis.potential(read_csv(HERE / "fixtures_e1.csv"))}
    m1 = pot[("m1", 1)]
    assert m1["best_single_ms"] == 4.0 and m1["best_plan"] == "ratio=0.5" and m1["best_plan_ms"] == 2.5
    assert m1["ideal_ms"] == pytest.approx(2.0)
    assert m1["plan_gain"] == pytest.approx(1.6) and m1["ideal_gain"] == pytest.approx(2.0)
    assert m1["auto_gain"] == pytest.approx(4.0 / 3.6) and m1["speed_ratio"] == 1.0
    m2 = pot[("m2", 2)]  # the failed plan row is ignored; gpu 10x slower
    assert m2["best_plan"] == "ratio=0.5" and m2["plan_gain"] == pytest.approx(1 / 6)
    assert m2["speed_ratio"] == pytest.approx(0.1) and m2["ideal_gain"] == pytest.approx(1.1)
    assert analysis.ideal_gain(0.1) == pytest.approx(1.1) and analysis.ideal_gain(1.0) == 2.0


def test_granularity_winners():
    models, layers, types = analysis.granularity(read_csv(HERE / "fixtures_e1.csv"), [
        {"model": "m1", "op": "0", "op_type": "CONV_2D", "axis": a, "ratio": r, "median_ms": v, "status": "ok"}
        for a, r, v in (("cpu", "1.00", "2"), ("gpu", "0.00", "3"), ("slices", "0.50", "1.5"),
                        ("rows", "0.50", "1.8"), ("slices", "0.00", "0.1"))])  # ratio 0 of an axis is no split
    assert {m["model"]: m["winner"] for m in models} == {"m1": "slices", "m2": "single"}
    assert layers[0]["winner"] == "slices" and layers[0]["slices_ratio"] == 0.5
    assert layers[0]["gain"] == pytest.approx(2 / 1.5) and types == {"CONV_2D": {"slices": 1}}


def test_imbalance_optimum_penalty_and_variance():
    points, summ = analysis.imbalance(read_csv(HERE / "fixtures_e4.csv"))
    s = summ[0]
    assert (s["opt_min"], s["opt_max"]) == (0.5, 1.0) and s["opt_stdev"] == pytest.approx(0.25)
    assert s["nearest_distance"] == 0.5
    # distance 0.5: round 0 -> 10/4 and 6/4; round 1 -> 7/5
    assert s["penalty_nearest"] == pytest.approx(1.5) and s["penalty_worst"] == pytest.approx(2.5)
    assert {(p["round"], p["ratio"]): p["penalty"] for p in points}[("1", 0.0)] == pytest.approx(2.0)


def test_environment_oracle():
    env = {r["phase"]: r for r in analysis.environment(read_csv(HERE / "fixtures_e5.csv"))}
    assert env["idle"]["oracle"] == "gpu" and env["idle"]["auto_over_oracle"] == pytest.approx(1.05)
    assert env["gpu90"]["oracle"] == "cpu" and env["gpu90"]["auto_over_oracle"] == pytest.approx(1.1)
    assert env["gpu90"]["gpu_busy"] == 0.9 and env["gpu90"]["load_cpu_util"] == 0.4


def test_spearman_and_diversity():
    assert analysis.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert analysis.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert math.isnan(analysis.spearman([1, 2], [1, 2]))
    feats = [{"model": m, "status": "ok", **{f: str(v) for f in analysis.FEATURES}} for m, v in (("m1", 1), ("m2", 2))]
    table, corr = analysis.diversity(feats, read_csv(HERE / "fixtures_e1.csv"))
    assert {t["model"]: round(t["plan_gain"], 3) for t in table} == {"m1": 1.6, "m2": round(1 / 6, 3)}
    assert len(corr) == len(analysis.FEATURES)


def test_csv_store_retries_failed_configurations(tmp_path):
    from common import CsvStore
    path = tmp_path / "E9.csv"
    store = CsvStore(path, ["model", "policy", "median_ms", "status"], ["model", "policy"])
    store.append([{"model": "a", "policy": "cpu", "median_ms": 1.0, "status": "ok"},
                  {"model": "a", "policy": "gpu", "status": "error: no Vulkan device found"}])
    again = CsvStore(path, ["model", "policy", "median_ms", "status"], ["model", "policy"])
    assert again.has({"model": "a", "policy": "cpu"})
    assert not again.has({"model": "a", "policy": "gpu"}), "a failed configuration must be measured again"
    assert [r["policy"] for r in again.rows] == ["cpu"]
    assert path.read_text().count("error") == 0


def test_copy_costs_by_kind_and_size():
    rows = read_csv(HERE / "fixtures_e3.csv")
    c = analysis.copy_costs(rows)
    # Kinds in the probe's order, sizes ascending; the failed row and the non-copy parts are left out.
    assert [(x["kind"], x["bytes"]) for x in c] == [
        ("host_write", 65536), ("host_write", 16777216), ("staged", 65536), ("staged", 16777216),
        ("device", 16777216), ("readback", 1048576)]
    by = {(x["kind"], x["bytes"]): x for x in c}
    assert by[("staged", 16777216)]["gb_per_s"] == pytest.approx(16777216 / 2000e-6 / 1e9)
    assert by[("host_write", 65536)]["gb_per_s"] == pytest.approx(65536 / 2e-6 / 1e9)
    assert by[("staged", 16777216)]["size"] == "16 MiB" and by[("staged", 65536)]["size"] == "64 KiB"
    assert (by[("device", 16777216)]["min_us"], by[("device", 16777216)]["max_us"]) == (480, 520)
    assert math.isnan(by[("readback", 1048576)]["gb_per_s"])  # a zero median has no rate
    assert analysis.size_label(1048576) == "1 MiB" and analysis.size_label(1000) == "1000 B"


def test_report_e3_copy_table_only_with_copy_rows():
    import report
    rows = read_csv(HERE / "fixtures_e3.csv")
    text = "\n".join(report.sec_e3(None, rows, {}))
    assert "Not measured: copy cost by bytes" not in text
    assert "| kind | size | bytes | median us | min us | max us | GB/s |" in text
    assert "| staged | 16 MiB | 16777216 | 2000.00 | 1900.00 | 2100.00 | 8.39 |" in text
    assert "`device` 500.0 us (33.55 GB/s)" in text  # the 16 MiB finding, from the rows
    assert "| copy_staged_16777216_us |" not in text  # not repeated in the fixed-cost table
    assert "| copy_us_per_mb | us/MiB |" in text
    old = [r for r in rows if not r["part"].startswith("copy_") or r["part"] == "copy_us_per_mb"]
    text = "\n".join(report.sec_e3(None, old, {}))  # a results folder from before the copy probe
    assert "Not measured: copy cost by bytes" in text and "GB/s" not in text


def test_generated_architectures_fail_with_a_clear_error(tmp_path, monkeypatch):
    """Where the generator cannot run (the GPU machine has no TensorFlow), the run stops naming the
    folder and what to carry, not with a traceback of the subprocess."""
    import subprocess
    import run

    def no_tensorflow(*args, **kwargs):
        raise subprocess.CalledProcessError(1, args[0], stderr="ModuleNotFoundError: No module named 'tensorflow'")

    monkeypatch.setattr(subprocess, "run", no_tensorflow)
    with pytest.raises(SystemExit) as e:
        run.generate_archs(tmp_path, 2)
    msg = str(e.value)
    assert str(tmp_path) in msg and "tensorflow" in msg and "device_run.sh pack" in msg, msg
