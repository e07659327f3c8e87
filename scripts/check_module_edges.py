#!/usr/bin/env python3
"""Checks that includes between hetsched's folders point one way (the module edges).

    base <- memory <- graph <- cpu, gpu <- partition <- profiles <- scheduler <- tools, python,
    examples, bench, experiments;  tests may include anything.

Each folder is one CMake library (base/, memory/, ...); a file of folder F may include
"G/..." only when G is F itself or in ALLOWED[F]. An include of another folder (a wrong-way edge,
or a cycle such as memory -> graph -> memory) is reported with file, line and the rule, and the
exit status is 1. Includes of headers outside these folders (<...>, generated headers) are ignored.

    scripts/check_module_edges.py [ROOT]     check the tree at ROOT (default: the repo)
    scripts/check_module_edges.py --self-test plants wrong-way includes in a scratch tree and fails
                                              unless each one is caught (so the check cannot pass vacuously)

Registered as the ctest tests ModuleEdges and ModuleEdgesSelfTest (tests/CMakeLists.txt).
"""
import pathlib
import re
import sys
import tempfile

# What each folder may include besides itself.
ALLOWED = {
    "base": set(),
    "memory": {"base"},
    "graph": {"base", "memory"},
    "cpu": {"base", "memory", "graph"},
    "gpu": {"base", "memory", "graph"},
    "partition": {"base", "memory", "graph", "cpu", "gpu"},
    "profiles": {"base", "memory", "graph", "cpu", "gpu", "partition"},
    "scheduler": {"base", "memory", "graph", "cpu", "gpu", "partition", "profiles"},
}
LIBRARIES = set(ALLOWED)
# Front ends: may use every library, but no other front end and not tests/.
for front in ("tools", "python", "examples", "bench", "experiments"):
    ALLOWED[front] = set(LIBRARIES)
ALLOWED["tests"] = set(ALLOWED) | {"tests"}

SOURCE_SUFFIXES = {".h", ".hpp", ".cpp", ".cc", ".inl", ".glsl", ".comp"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([A-Za-z0-9_]+)/[^"]+"')


def violations(files):
    """files: iterable of (relative posix path, text). Yields 'path:line: message' per wrong-way include."""
    for rel, text in files:
        folder = rel.split("/", 1)[0]
        if folder not in ALLOWED or "/" not in rel:
            continue
        for n, line in enumerate(text.splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            if target == folder or target not in ALLOWED:
                continue  # own folder, or not one of the module folders (e.g. a shader-relative include)
            if target not in ALLOWED[folder]:
                allowed = ", ".join(sorted(ALLOWED[folder])) or "no other folder"
                yield (f"{rel}:{n}: {folder}/ includes {target}/ ({line.strip()}); "
                       f"{folder}/ may include: {allowed}")


def tree_files(root):
    root = pathlib.Path(root)
    for folder in sorted(ALLOWED):
        d = root / folder
        if not d.is_dir():
            continue
        for p in sorted(d.rglob("*")):
            if p.suffix in SOURCE_SUFFIXES and p.is_file():
                yield p.relative_to(root).as_posix(), p.read_text(errors="replace")


def check(root):
    found = list(violations(tree_files(root)))
    for v in found:
        print(v)
    return found


def self_test():
    planted = {
        "memory/bad.cpp": '#include "graph/graph.h"\n',            # the old memory -> graph cycle
        "base/bad.h": '#include "memory/memory_planner.h"\n',       # base must include nothing
        "graph/bad.cpp": '#include "gpu/buffer.h"\n',               # graph below the executors
        "cpu/bad.cpp": '#  include "gpu/device.h"\n',               # executors are siblings
        "partition/bad.cpp": '#include "scheduler/session.h"\n',    # upward
        "tools/bad.cpp": '#include "tests/support/op_harness.h"\n',  # shipped code never uses tests/
    }
    clean = {
        "graph/good.cpp": '#include "memory/memory_planner.h"\n#include "base/error.h"\n#include <vector>\n',
        "scheduler/good.cpp": '#include "profiles/profile.h"\n#include "partition/plan.h"\n',
        "tests/good.cpp": '#include "tools/npy.h"\n#include "tests/support/x.h"\n',
        "gpu/shaders/good.comp": '#include "common.glsl"\n',
    }
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in {**planted, **clean}.items():
            p = pathlib.Path(tmp) / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        found = check(tmp)
    caught = {v.split(":", 1)[0] for v in found}
    missed = sorted(set(planted) - caught)
    wrong = sorted(caught - set(planted))
    if missed or wrong or len(found) != len(planted):
        print(f"self-test FAILED: missed {missed}, flagged clean files {wrong}, {len(found)} reports")
        return 1
    print(f"self-test ok: {len(planted)} planted wrong-way includes caught, {len(clean)} clean files passed")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    root = argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent
    found = check(root)
    if found:
        print(f"{len(found)} wrong-way include(s); the allowed edges are in {pathlib.Path(__file__).name}")
        return 1
    print("module edges ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
