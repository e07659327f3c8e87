"""experiments/: energy counters where the machine exposes them: RAPL package energy under
/sys/class/powercap (when readable) and the NVIDIA board power from nvidia-smi (sampled). Each
meter says why it is not available otherwise."""
import glob
import os
import shutil
import subprocess
import threading
import time


class Rapl:
    def __init__(self):
        self.files = [f for f in glob.glob("/sys/class/powercap/intel-rapl:*/energy_uj")
                      if f.count(":") == 1 and os.access(f, os.R_OK)]
        self.why = "" if self.files else "RAPL not readable (/sys/class/powercap/intel-rapl:*/energy_uj absent or not readable)"

    def read(self):
        tot = 0
        for f in self.files:
            try:
                tot += int(open(f).read())
            except (OSError, ValueError):
                return None
        return tot

    def start(self):
        self.e0, self.t0 = (self.read() if self.files else None), time.time()

    def stop(self):
        """Joules since start(), or None."""
        if not self.files or self.e0 is None:
            return None
        e1 = self.read()
        return None if e1 is None or e1 < self.e0 else (e1 - self.e0) / 1e6


class NvidiaPower:
    """Samples `nvidia-smi --query-gpu=power.draw` every 50 ms in the background; energy = mean
    power x duration."""

    def __init__(self):
        self.exe = shutil.which("nvidia-smi")
        self.why = "" if self.exe else "no nvidia-smi (no NVIDIA GPU)"
        if self.exe:
            p = subprocess.run([self.exe, "--query-gpu=power.draw", "--format=csv,noheader,nounits"],
                               capture_output=True, text=True)
            if p.returncode != 0 or not p.stdout.strip().split("\n")[0].replace(".", "", 1).isdigit():
                self.why = f"nvidia-smi gives no power.draw ({p.stdout.strip()[:60]} {p.stderr.strip()[:60]})"
                self.exe = None

    def start(self):
        self.samples, self.t0 = [], time.time()
        if not self.exe:
            return
        self.proc = subprocess.Popen([self.exe, "--query-gpu=power.draw", "--format=csv,noheader,nounits", "-lms", "50"],
                                     stdout=subprocess.PIPE, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                self.samples.append(float(line.split(",")[0]))
            except ValueError:
                pass

    def stop(self):
        if not self.exe:
            return None
        dt = time.time() - self.t0
        self.proc.terminate()
        self.proc.wait()
        self.thread.join(2)
        return sum(self.samples) / len(self.samples) * dt if self.samples else None
