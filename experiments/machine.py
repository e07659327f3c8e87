"""experiments/: the machine description of a run (CPU, threads, memory, GPU, driver, versions, and
the background load measured before and after), and the results folder's name <machine>_<date>."""
import datetime
import json
import os
import platform
import re
import shutil
import subprocess

from common import ROOT
from loads import measure_utilization


def _cmd(args, timeout=30):
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        return p.stdout.strip() if p.returncode == 0 else ""
    except (OSError, subprocess.TimeoutExpired):
        return ""


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def mem_total_gib():
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return ""


def gpu_of(binary):
    try:
        devs = json.loads(_cmd([str(binary), "devices", "--json"]) or "[]")
    except json.JSONDecodeError:
        devs = []
    if isinstance(devs, dict):
        devs = devs.get("devices", [])
    sel = [d for d in devs if d.get("selected")] or devs
    if not sel:
        return {"name": "none", "driver": "", "type": ""}
    d = sel[0]
    return {"name": d.get("name", ""), "driver": f"{d.get('driver_name', '')} {d.get('driver_info', '')}".strip(),
            "type": d.get("type", ""), "api_version": d.get("api_version", "")}


def slug(gpu_name, cores):
    g = gpu_name.lower()
    m = re.search(r"\b([ahlv]\d{2,3}|rtx ?\d{4}|gtx ?\d{3,4})\b", g)
    if "llvmpipe" in g or "lavapipe" in g:
        short = "lavapipe"
    elif m:
        short = m.group(1).replace(" ", "")
    else:
        short = re.sub(r"[^a-z0-9]+", "-", g).strip("-")[:20] or "nogpu"
    return f"{short}-{cores}core"


def describe(binary, probe_s=2.0):
    """The description (a dict); measures the background CPU utilization for probe_s seconds."""
    gpu = gpu_of(binary)
    nvsmi = _cmd(["nvidia-smi", "--query-gpu=name,driver_version,power.limit,clocks.max.sm", "--format=csv,noheader"]) \
        if shutil.which("nvidia-smi") else ""
    cores = os.cpu_count()
    load1 = os.getloadavg()[0]
    return {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "host_slug": slug(gpu["name"], cores),
        "cpu": cpu_model(), "cores": cores, "memory_gib": mem_total_gib(),
        "kernel": platform.release(), "python": platform.python_version(),
        "gpu": gpu["name"], "gpu_driver": gpu["driver"], "gpu_type": gpu.get("type", ""),
        "gpu_shares_cpu": gpu.get("type", "") == "cpu",
        "nvidia_smi": nvsmi,
        "hetsched_version": _cmd([str(binary), "--version"]).splitlines()[0] if _cmd([str(binary), "--version"]) else "",
        "git_commit": _cmd(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "stress_ng": _cmd(["stress-ng", "--version"]),
        "loadavg_start": round(load1, 2),
        "background_cpu_util_start": round(measure_utilization(probe_s), 3),
    }


def finish(desc, probe_s=2.0):
    desc["loadavg_end"] = round(os.getloadavg()[0], 2)
    desc["background_cpu_util_end"] = round(measure_utilization(probe_s), 3)
    return desc


def folder_name(desc, quick):
    date = desc["date_utc"].split()[0]
    return f"{desc['host_slug']}_{date}" + ("_quick" if quick else "")
