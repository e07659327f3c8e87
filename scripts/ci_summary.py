#!/usr/bin/env python3
# Sums JUnit XML reports (ctest --output-junit, pytest --junitxml) and step results into one summary line.
"""Usage: ci_summary.py [--step NAME=pass|fail|skip]... REPORT.xml...

Each <testcase> counts once: failed if it has a <failure> or <error> child, skipped if it has
<skipped>, passed otherwise. A missing report counts as nothing (its step reports the failure).
Prints one line per report and step, then the last line `N passed, N failed`.
"""
import argparse
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def count(path: Path):
    passed = failed = skipped = 0
    failures = []
    for case in ET.parse(path).getroot().iter("testcase"):
        tags = {child.tag for child in case}
        cls, name = case.get("classname", ""), case.get("name", "")
        name = name if cls in ("", name) else f"{cls}::{name}"
        if tags & {"failure", "error"} or case.get("status") == "fail":
            failed += 1
            failures.append(name)
        elif "skipped" in tags or case.get("status") in ("notrun", "disabled"):
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--step", action="append", default=[], help="NAME=pass|fail|skip")
    ap.add_argument("reports", nargs="*", type=Path)
    args = ap.parse_args()
    total = [0, 0, 0]
    for path in args.reports:
        if not path.is_file():
            continue
        try:
            p, f, s, failures = count(path)
        except ET.ParseError as e:
            print(f"  {path.name}: unreadable ({e})")
            total[1] += 1
            continue
        print(f"  {path.stem}: {p} passed, {f} failed, {s} skipped")
        for name in failures[:50]:
            print(f"    FAILED {name}")
        total = [total[0] + p, total[1] + f, total[2] + s]
    for step in args.step:
        name, _, result = step.partition("=")
        print(f"  step {name}: {result}")
        total[{"pass": 0, "fail": 1, "skip": 2}[result]] += 1
    if total[2]:
        print(f"  ({total[2]} skipped)")
    print(f"{total[0]} passed, {total[1]} failed")
    return 1 if total[1] else 0


if __name__ == "__main__":
    sys.exit(main())
