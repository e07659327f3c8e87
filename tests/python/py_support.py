# Shared by tests/python: importing the package (loud failure under HETSCHED_REQUIRE_PY=1), the zoo.
"""`import hetsched` as the set-up installed it into .venv. When it fails: with
HETSCHED_REQUIRE_PY=1 (scripts/test.sh sets it) every test of the package fails, naming the cause
(a collection error would stop the whole pytest session, the conformance suite with it);
otherwise the module is skipped with the reason (a developer without the package)."""
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


class _Missing:
    """Stands for the package that failed to import: any use fails the test with the reason."""

    def __init__(self, reason: str) -> None:
        self._reason = reason

    def __getattr__(self, name: str):
        if name.startswith("__"):  # pytest's collection looks for __test__ and the like
            raise AttributeError(name)
        pytest.fail(self._reason, pytrace=False)


def import_hetsched():
    try:
        import hetsched
    except ImportError as e:
        if os.environ.get("HETSCHED_REQUIRE_PY") == "1":
            return _Missing(f"HETSCHED_REQUIRE_PY=1 but `import hetsched` failed ({e}); scripts/setup.sh installs "
                            "the package into .venv (pip install --no-build-isolation .)")
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
