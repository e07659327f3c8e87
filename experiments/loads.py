"""experiments/: background load generators and their verification: CPU load with stress-ng (N
workers at a per-worker load), GPU load with bench/load's hetsched_gpu_load (a separate process
keeping the Vulkan device busy at a duty cycle), and the CPU utilization they cause, read from
/proc/stat (the share of all cores busy, every process included)."""
import json
import math
import os
import shutil
import signal
import subprocess
import threading
import time


def cpu_times():
    """(busy, total) jiffies over all cores from /proc/stat's first line."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    total = sum(parts[:8])
    return total - idle, total


class CpuMeter:
    """Share of all cores busy between start() and stop() (0..1)."""

    def start(self):
        self.b0, self.t0 = cpu_times()
        return self

    def stop(self):
        b1, t1 = cpu_times()
        return (b1 - self.b0) / (t1 - self.t0) if t1 > self.t0 else math.nan


def measure_utilization(seconds):
    m = CpuMeter().start()
    time.sleep(seconds)
    return m.stop()


def cpu_workers(fraction, cores):
    """stress-ng workers and per-worker load (percent) for `fraction` of `cores` busy:
    ceil(fraction x cores) workers sharing the load (2 cores at 25%: 1 worker at 50%)."""
    if fraction <= 0:
        return 0, 0
    n = max(1, math.ceil(fraction * cores - 1e-9))
    return n, max(1, min(100, round(100 * fraction * cores / n)))


class CpuLoad:
    """stress-ng --cpu N --cpu-load P (matrixprod) until stop()."""

    def __init__(self, fraction, cores=None, stress_ng=None):
        self.fraction = fraction
        self.cores = cores or os.cpu_count()
        self.exe = stress_ng or os.environ.get("STRESS_NG") or shutil.which("stress-ng")
        self.proc = None

    def start(self):
        n, pct = cpu_workers(self.fraction, self.cores)
        if n == 0:
            return self
        if not self.exe:
            raise RuntimeError("stress-ng is not installed (scripts/setup.sh installs it)")
        self.proc = subprocess.Popen([self.exe, "--cpu", str(n), "--cpu-load", str(pct), "--cpu-method", "matrixprod",
                                      "--timeout", "3600s", "--quiet"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(0.3)
        if self.proc.poll() is not None:
            raise RuntimeError(f"stress-ng exited at once with {self.proc.returncode}")
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # stress-ng's workers are its own group
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None


class GpuLoad:
    """hetsched_gpu_load --duty D until stop(); stop() returns the busy share it measured (GPU
    timestamps), or NaN."""

    def __init__(self, duty, binary):
        self.duty, self.binary, self.proc, self.report = duty, str(binary), None, {}

    def start(self):
        if self.duty <= 0:
            return self
        self.proc = subprocess.Popen([self.binary, "--duty", str(self.duty), "--seconds", "0", "--verbose"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # `gpu_load_ready {...}` once the load runs
        if not line.startswith("gpu_load_ready"):
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            raise RuntimeError(f"hetsched_gpu_load did not start: {line.strip()} {err.strip()}")
        self.lines = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True)
        self.reader.start()
        return self

    def busy_since(self, mark):
        """Mean of the per-second busy shares printed since line `mark` (NaN when none yet)."""
        secs = [json.loads(x.split(" ", 1)[1])["busy"] for x in self.lines if x.startswith("gpu_load_second")]
        vals = [json.loads(x.split(" ", 1)[1])["busy"] for x in self.lines[mark:] if x.startswith("gpu_load_second")]
        vals = vals or secs[-1:]  # a run shorter than a second: the latest second
        return round(sum(vals) / len(vals), 4) if vals else math.nan

    def stop(self):
        if self.proc is None:
            return 0.0 if self.duty <= 0 else math.nan
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(5)
        self.proc = None
        for line in self.lines:
            if line.startswith("gpu_load_report"):
                self.report = json.loads(line.split(" ", 1)[1])
        return float(self.report.get("busy_share", math.nan))


def parse_phase(name):
    """'idle', 'cpu50', 'gpu90', 'cpu50+gpu90' -> (cpu fraction, gpu duty)."""
    cpu = gpu = 0.0
    for part in name.split("+"):
        if part.startswith("cpu"):
            cpu = int(part[3:]) / 100
        elif part.startswith("gpu"):
            gpu = int(part[3:]) / 100
        elif part != "idle":
            raise ValueError(f"load phase {name!r}: expected idle, cpuNN, gpuNN or cpuNN+gpuNN")
    return cpu, gpu


class Phase:
    """A load phase (CPU and GPU load together) kept running while configurations are measured in
    it; stop() returns the measured CPU utilization over the phase and the GPU busy share."""

    def __init__(self, name, gpu_load_binary, settle_s=1.0):
        self.name = name
        self.cpu_fraction, self.gpu_duty = parse_phase(name)
        self.cpu = CpuLoad(self.cpu_fraction)
        self.gpu = GpuLoad(self.gpu_duty, gpu_load_binary)
        self.settle_s = settle_s

    def start(self):
        self.gpu.start()
        self.cpu.start()
        if self.cpu_fraction or self.gpu_duty:
            time.sleep(self.settle_s)
        # The load alone (before anything is measured in it; in the idle phase, what other processes use).
        self.load_alone = measure_utilization(self.settle_s)
        self.meter = CpuMeter().start()
        return self

    def stop(self):
        util = self.meter.stop()
        self.cpu.stop()
        busy = self.gpu.stop()
        return util, busy
