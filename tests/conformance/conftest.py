# pytest set-up of the LiteRT conformance suite: the run's random seed (HETSCHED_SEED reproduces it), paths.
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from seeded_run import SEED, split_rotation_count  # noqa: E402


def seed_line() -> str:
    n = split_rotation_count()
    rotation = f"; split policies on {n} models each (HETSCHED_SPLIT_ROTATION={n}, see seeded_run.py)" if n else ""
    return f"hetsched conformance seed: {SEED} (reproduce with HETSCHED_SEED={SEED}){rotation}"


def pytest_report_header(config):
    return seed_line()


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(seed_line())


@pytest.fixture(scope="session")
def seed() -> int:
    return SEED
