# scripts/device_common.sh's xz archives (the device packs' binaries and stress-ng): what
# device_pack_xz writes, device_unpack_xz restores byte for byte with the executable bit, both with
# the xz program and through Python's tarfile (the GPU machine's image may lack xz); and
# device_unpack_bins turns .device/bin.tar.xz back into .device/bin.
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def tree(tmp_path):
    """A scratch project root with device_common.sh (it moves to its own root when sourced)."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "device_common.sh", tmp_path / "scripts")
    return tmp_path


def bash(root, script):
    return subprocess.run(["bash", "-c", f"source scripts/device_common.sh\n{script}"], cwd=root,
                          capture_output=True, text=True, check=True)


@pytest.mark.skipif(shutil.which("xz") is None, reason="packing needs the xz program (set-up installs xz-utils)")
@pytest.mark.parametrize("unpacker", ["xz", "python"])
def test_xz_archives_round_trip_with_or_without_the_xz_program(tmp_path, unpacker):
    root = tree(tmp_path)
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    (root / "src" / "bin").mkdir(parents=True)
    files = {"tool": bytes(rng.randrange(256) for _ in range(50_000)), "data.txt": b"x" * rng.randrange(1, 9999)}
    for name, data in files.items():
        (root / "src" / "bin" / name).write_bytes(data)
    os.chmod(root / "src" / "bin" / "tool", 0o755)
    # Without the xz program: `command -v xz` fails, so the Python fallback unpacks.
    hide = "command() { [[ ${2:-} == xz ]] && return 1; builtin command \"$@\"; }\n" if unpacker == "python" else ""
    bash(root, f"device_pack_xz src bin packed.tar.xz\nmkdir out\n{hide}device_unpack_xz packed.tar.xz out")
    for name, data in files.items():
        assert (root / "out" / "bin" / name).read_bytes() == data, name
    assert os.access(root / "out" / "bin" / "tool", os.X_OK)
    assert not os.access(root / "out" / "bin" / "data.txt", os.X_OK)


@pytest.mark.skipif(shutil.which("xz") is None, reason="packing needs the xz program (set-up installs xz-utils)")
def test_unpack_bins_restores_the_device_folder_once(tmp_path):
    root = tree(tmp_path)
    (root / ".device" / "bin").mkdir(parents=True)
    (root / ".device" / "bin" / "hetsched").write_bytes(b"\x7fELF not really")
    bash(root, "device_pack_xz .device bin .device/bin.tar.xz && rm -rf .device/bin\ndevice_unpack_bins")
    assert (root / ".device" / "bin" / "hetsched").read_bytes() == b"\x7fELF not really"
    (root / ".device" / "bin" / "hetsched").write_bytes(b"kept")  # an unpacked folder is left alone
    bash(root, "device_unpack_bins")
    assert (root / ".device" / "bin" / "hetsched").read_bytes() == b"kept"
