#!/usr/bin/env python3
# Diagnoses per-session resource growth in one process (the experiments' in-process engine opens a
# fresh Session per configuration): opens N sessions one after another with a policy and prints the
# process's open file descriptors (grouped by target), threads and RSS after each, plus RLIMIT_NOFILE.
#   python3 scripts/gpu_session_churn.py MODEL [--policy gpu] [--sessions 40] [--devices-calls]
import argparse
import collections
import os
import resource
import sys

import numpy as np


def fd_targets():
    kinds = collections.Counter()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        kinds[target.split(":")[0] if ":" in target else os.path.dirname(target) or target] += 1
    return kinds


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--policy", default="gpu")
    ap.add_argument("--sessions", type=int, default=40)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--devices-calls", action="store_true", help="also call hetsched.devices() each round")
    args = ap.parse_args()
    import hetsched
    print(f"RLIMIT_NOFILE {resource.getrlimit(resource.RLIMIT_NOFILE)}", flush=True)
    base = fd_targets()
    print(f"start: fds {sum(base.values())} {dict(base)}", flush=True)
    for i in range(args.sessions):
        try:
            if args.devices_calls:
                hetsched.devices()
            s = hetsched.Session(args.model, policy=args.policy, threads=args.threads)
            x = np.zeros(s.model.inputs[0].shape, np.float32)
            s.run([x])
            del s
        except Exception as e:  # noqa: BLE001 - the point is to see where it fails
            print(f"session {i}: {type(e).__name__}: {e}", flush=True)
            break
        now = fd_targets()
        grown = {k: v - base.get(k, 0) for k, v in now.items() if v != base.get(k, 0)}
        print(f"session {i}: fds {sum(now.values())} threads {len(os.listdir('/proc/self/task'))} "
              f"rss {rss_mb():.0f} MB changed {grown}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
