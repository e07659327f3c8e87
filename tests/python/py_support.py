# Shared by tests/python: importing the package (loud failure under HETSCHED_REQUIRE_PY=1), the zoo.
"""`import hetsched` as the set-up installed it into .venv. When it fails: with
HETSCHED_REQUIRE_PY=1 (scripts/test.sh sets it) every test module errors at collection, naming
the cause; otherwise the module is skipped with the reason (a developer without the package)."""
import os
import resource
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import zoo  # noqa: E402

SMALL_MODEL = "face_detection_short_range"  # 128x128 input, ~1-2 ms per CPU run here
INDEX = zoo.load_index() if (ROOT / "models" / "index.json").is_file() else []
RUNNABLE = [e for e in INDEX if not e.get("expect_refused")]
REFUSED = [e for e in INDEX if e.get("expect_refused")]


def import_hetsched():
    try:
        import hetsched
    except ImportError as e:
        if os.environ.get("HETSCHED_REQUIRE_PY") == "1":
            raise ImportError(f"HETSCHED_REQUIRE_PY=1 but `import hetsched` failed ({e}); scripts/setup.sh "
                              "installs the package into .venv (pip install --no-build-isolation .)") from e
        pytest.skip(f"the hetsched Python package is not installed ({e}); scripts/setup.sh installs it",
                    allow_module_level=True)
    return hetsched


def entry(name: str) -> dict:
    return next(e for e in INDEX if e["name"] == name)


def model_path(name: str) -> str:
    return str(ROOT / entry(name)["file"])


def rss_mb() -> float:
    """Current resident set size of this process (from /proc), MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20
