#!/usr/bin/env python3
# Fetches the MediaPipe npm packages (npm pack, cached) and extracts their .tflite models, sha256-checked.
"""Usage: fetch_mediapipe.py [--models DIR] [--cache DIR]

Loose `.tflite` files are taken from the tarballs directly; the models inside Emscripten
`*_packed_assets.data` bundles are cut at the {filename, start, end} offsets that the matching
`*_packed_assets_loader.js` lists. A model already present with the expected sha256 is skipped.
Only the Python standard library is used (runs before the venv exists).
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zoo_manifest import MEDIAPIPE_MODELS, MEDIAPIPE_PACKAGES  # noqa: E402

LOADER_ENTRY = re.compile(r'"filename":\s*"([^"]+)",\s*"start":\s*(\d+),\s*"end":\s*(\d+)')


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_ok(path: Path, expected_sha: str) -> bool:
    return path.is_file() and sha256(path.read_bytes()) == expected_sha


def tarball(cache: Path, package: str, version: str) -> Path:
    """Returns the cached `npm pack` tarball of package@version, packing it if missing."""
    name = package.lstrip("@").replace("/", "-") + f"-{version}.tgz"
    path = cache / name
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        print(f"fetch_mediapipe: npm pack {package}@{version}", flush=True)
        subprocess.run(["npm", "pack", "--silent", f"{package}@{version}", "--pack-destination", str(cache)],
                       check=True, stdout=subprocess.DEVNULL)
        if not path.is_file():
            sys.exit(f"fetch_mediapipe: npm pack did not produce {path}")
    return path


def candidates(tgz: Path):
    """Yields (model name, bytes) for every .tflite in the tarball, loose or packed."""
    with tarfile.open(tgz) as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        for name, member in members.items():
            if name.endswith(".tflite"):
                yield Path(name).stem, tar.extractfile(member).read()
        for name, member in members.items():
            if not name.endswith("_packed_assets_loader.js"):
                continue
            data_name = name[: -len("_loader.js")] + ".data"
            if data_name not in members:
                sys.exit(f"fetch_mediapipe: {tgz.name}: {name} has no {data_name}")
            js = tar.extractfile(member).read().decode("utf-8", "replace")
            data = tar.extractfile(members[data_name]).read()
            for filename, start, end in LOADER_ENTRY.findall(js):
                if filename.endswith(".tflite"):
                    start, end = int(start), int(end)
                    if not 0 <= start < end <= len(data):
                        sys.exit(f"fetch_mediapipe: {tgz.name}: {filename} range [{start},{end}) outside "
                                 f"{data_name} ({len(data)} bytes)")
                    yield Path(filename).stem, data[start:end]


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=root / "models")
    ap.add_argument("--cache", type=Path, default=root / ".cache" / "npm")
    args = ap.parse_args()
    args.models.mkdir(parents=True, exist_ok=True)

    missing = {n: v for n, v in MEDIAPIPE_MODELS.items() if not file_ok(args.models / f"{n}.tflite", v[1])}
    for package, version in MEDIAPIPE_PACKAGES.items():
        wanted = {n for n, v in missing.items() if v[0] == package}
        if not wanted:
            continue
        for name, data in candidates(tarball(args.cache, package, version)):
            if name in wanted and sha256(data) == missing[name][1]:
                if not data.startswith(b"TFL3", 4):
                    sys.exit(f"fetch_mediapipe: {name}: no TFL3 identifier")
                tmp = args.models / f".{name}.tflite.tmp"
                tmp.write_bytes(data)
                os.replace(tmp, args.models / f"{name}.tflite")
                wanted.discard(name)
                del missing[name]
                print(f"fetch_mediapipe: {name}.tflite ({len(data)} bytes) from {package}@{version}")
        for name in sorted(wanted):
            print(f"fetch_mediapipe: {name}: not found in {package}@{version} with sha256 "
                  f"{MEDIAPIPE_MODELS[name][1]}", file=sys.stderr)
    if missing:
        print(f"fetch_mediapipe: FAILED, missing or wrong sha256: {', '.join(sorted(missing))}", file=sys.stderr)
        return 1
    print(f"fetch_mediapipe: {len(MEDIAPIPE_MODELS)} MediaPipe models OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
