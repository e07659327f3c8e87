# pytest set-up of the LiteRT conformance suite: the run's random seed (HETSCHED_SEED reproduces it), paths.
import os
import secrets
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

SEED = int(os.environ["HETSCHED_SEED"]) if os.environ.get("HETSCHED_SEED") else secrets.randbits(32)


def pytest_report_header(config):
    return f"hetsched conformance seed: {SEED} (reproduce with HETSCHED_SEED={SEED})"


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"hetsched conformance seed: {SEED} (reproduce with HETSCHED_SEED={SEED})")


@pytest.fixture(scope="session")
def seed() -> int:
    return SEED
