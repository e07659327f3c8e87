"""experiments/: the shared pieces of every experiment: the run context, CSV stores that resume,
summary statistics (median and spread), and the progress line (experiment, model, left, ETA)."""
import csv
import gzip
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAT_COLS = ["n", "median_ms", "min_ms", "q1_ms", "q3_ms", "max_ms"]


def quantile(sorted_values, q):
    """Linear-interpolated quantile of an already sorted list (numpy's default method)."""
    if not sorted_values:
        return math.nan
    pos = q * (len(sorted_values) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def summarize(values, suffix="_ms"):
    """n, median, min, q1, q3, max of `values` as the CSV columns (names end in `suffix`)."""
    v = sorted(float(x) for x in values)
    out = {"n": len(v)}
    for name, q in (("median", 0.5), ("min", 0.0), ("q1", 0.25), ("q3", 0.75), ("max", 1.0)):
        out[name + suffix] = round(quantile(v, q), 6) if v else ""
    return out


def read_csv(path):
    path = Path(path)
    if not path.exists():
        gz = path.with_name(path.name + ".gz")
        if not gz.exists():
            return []
        path = gz
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", newline="") as f:
        return list(csv.DictReader(f))


def fnum(row, key, default=math.nan):
    """A CSV cell as a float (empty or missing: `default`)."""
    try:
        x = row.get(key, "")
        return float(x) if x not in ("", None) else default
    except ValueError:
        return default


class CsvStore:
    """One experiment's CSV: fixed columns, rows appended (and flushed) as they are measured, and
    the keys of the rows already there, so an interrupted run skips what it has. Rows recorded as
    failures (status "error: ...") are dropped when the CSV is opened: a resumed run measures
    those configurations again (H100, 2026-12-06: a run whose device failed mid-way would
    otherwise have kept 690 failures)."""

    def __init__(self, path, columns, key):
        self.path, self.columns, self.key = Path(path), list(columns), list(key)
        rows = read_csv(self.path)
        self.rows = [r for r in rows if not str(r.get("status", "")).startswith("error")]
        if len(self.rows) < len(rows):
            with open(self.path, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=self.columns, extrasaction="ignore")
                w.writeheader()
                w.writerows(self.rows)
        self.done = {self.key_of(r) for r in self.rows}

    def key_of(self, row):
        return tuple(str(row.get(k, "")) for k in self.key)

    def has(self, cfg):
        return self.key_of(cfg) in self.done

    def append(self, rows):
        new = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=self.columns, extrasaction="ignore")
            if new:
                w.writeheader()
            for r in rows:
                w.writerow({c: r.get(c, "") for c in self.columns})
                self.rows.append({c: str(r.get(c, "")) for c in self.columns})
                self.done.add(self.key_of(r))


class Progress:
    """Prints `[E1 3/28, 25 left overall] model policy=...  elapsed, ETA` on stderr. The ETA is the
    mean time of the configurations measured so far times those left (skipped ones cost nothing)."""

    def __init__(self, total):
        self.total, self.done, self.measured, self.spent = total, 0, 0, 0.0
        self.t0 = time.time()

    def step(self, exp, index, count, label, skipped=False):
        self.done += 1
        left = self.total - self.done
        eta = f"ETA {self.spent / self.measured * (left + 1):.0f} s" if self.measured else "ETA ?"
        state = "have it, skipped" if skipped else "measuring"
        print(f"[{exp} {index}/{count}, {left} left overall] {label} ({state}; "
              f"{time.time() - self.t0:.0f} s elapsed, {eta})", file=sys.stderr, flush=True)

    def measured_one(self, seconds):
        self.measured += 1
        self.spent += seconds


def log(msg):
    print(f"experiments: {msg}", file=sys.stderr, flush=True)


def median(xs):
    xs = [x for x in xs if not (isinstance(x, float) and math.isnan(x))]
    return statistics.median(xs) if xs else math.nan


def env_cache(out):
    """The hetsched cache directory of a run (tuning, pipelines, op profiles): inside the results
    folder's ignored .cache, so a run starts from its own tuning and is not mixed with others."""
    d = Path(out) / ".cache" / "hetsched"
    d.mkdir(parents=True, exist_ok=True)
    os.environ["HETSCHED_CACHE_DIR"] = str(d)
    return d
