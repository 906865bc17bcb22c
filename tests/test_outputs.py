"""Every file the CLI writes goes through psoas.files: written beside the target and renamed,
never over a folder, a device node or a pipe (exit 2 naming the option, the thing left as it
was), and through a symbolic link to the file it points to. Through the installed CLI for
each writer (report, export csv/fhir/ics, backup, screen), and the helper directly."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from psoas.files import Refused, replacing, target, write, write_all
from tests.test_tracking_cli import DESK, run

SCREEN = ["screen", "--no-input", "--age", "41", "--no-red-flags", "--no-equipment"]
SCREEN += ["--skip-tests", "--no-conditions", "--no-limits"]

# (command before the path, the option named in the refusal, command after the path)
WRITERS = {
    "report": (["report", "--out"], "--out", []),
    "fhir": (["export", "--format", "fhir", "--out"], "--out", []),
    "ics": (["export", "--format", "ics", "--out"], "--out", []),
    "backup": (["backup"], "FILE", []),
    "screen": ([*SCREEN, "--out"], "--out", []),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One seeded store for the module: refusals change nothing, so tests may share it."""
    tmp = tmp_path_factory.mktemp("outputs")
    env = {**os.environ, "PSOAS_DATA_DIR": str(tmp / "data"), "COLUMNS": "120"}
    env.pop("PSOAS_DATABASE_URL", None)
    start = (date.today() - timedelta(days=3)).isoformat()
    r = run(env, "init", "--profile", str(DESK), "--start", start)
    assert r.returncode == 0, r.stderr
    return env


def device(path: Path) -> str:
    """A character device (as /dev/full) when root may make one, else a named pipe: both
    are files that are not regular, which psoas must never replace."""
    if os.geteuid() == 0:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
        return "device"
    os.mkfifo(path)
    return "pipe"


def is_special(path: Path) -> bool:
    mode = os.lstat(path).st_mode
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_device_or_folder_at_the_path_is_refused_and_kept(store, tmp_path, writer):
    before, option, after = WRITERS[writer]
    node = tmp_path / "node"
    device(node)
    link = tmp_path / "to-node"
    link.symlink_to(node)
    folder = tmp_path / "folder"
    folder.mkdir()
    for path, words in ((node, "not a regular file"), (link, "not a regular file"),
                        (folder, "is a folder")):  # fmt: skip
        r = run(store, *before, str(path), *after)
        assert r.returncode == 2, (writer, path, r.stdout, r.stderr)
        assert r.stderr.startswith(f"psoas: {option}: ") and words in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert is_special(node) and link.is_symlink() and folder.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "node", "to-node"]


@pytest.mark.parametrize("writer", ["fhir", "ics", "backup"])
def test_a_link_is_followed_and_stays_a_link(store, tmp_path, writer):
    before, _option, after = WRITERS[writer]
    real = tmp_path / "real"
    real.write_text("old")
    link = tmp_path / "link"
    link.symlink_to(real)
    r = run(store, *before, str(link), *after)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() != b"old" and real.stat().st_size > 100
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]  # no temp left
    if writer == "fhir":
        assert json.loads(real.read_text())["resourceType"] == "Bundle"


def test_screen_through_a_dangling_link_makes_its_target(store, tmp_path):
    link, real = tmp_path / "profile.json", tmp_path / "kept" / "profile.json"
    real.parent.mkdir()
    link.symlink_to(real)
    r = run(store, *SCREEN, "--out", str(link))
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and json.loads(real.read_text())["schema"] == "psoas.profile/1"


# --- the helper itself --------------------------------------------------------------------


def test_write_replaces_a_regular_file_whole_and_privately(tmp_path):
    path = tmp_path / "a.json"
    path.write_text("old")
    os.chmod(path, 0o644)
    assert write(path, b"new") == path
    assert path.read_bytes() == b"new" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_refusals_name_the_problem(tmp_path):
    node = tmp_path / "node"
    kind = device(node)
    cases = {
        "": "is not a file name",
        str(tmp_path): "is a folder",
        str(node): "not a regular file",
        str(tmp_path / "missing" / "x"): "does not exist",
    }
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    cases[str(loop)] = "Too many levels of symbolic links"
    for path, words in cases.items():
        with pytest.raises(Refused, match=words):
            target(path)
        with pytest.raises(Refused):
            write(path, b"x")
    assert is_special(node), kind


def test_a_node_that_appears_before_the_rename_is_not_replaced(tmp_path):
    path = tmp_path / "out"
    with pytest.raises(Refused, match="not a regular file"), replacing(path) as tmp:
        tmp.write_bytes(b"data")
        device(path)
    assert is_special(path) and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_write_all_writes_none_when_one_target_is_refused(tmp_path):
    (tmp_path / "a.csv").write_text("old")
    (tmp_path / "b.csv").mkdir()
    with pytest.raises(Refused, match="is a folder"):
        write_all({tmp_path / "a.csv": b"new", tmp_path / "b.csv": b"new"})
    assert (tmp_path / "a.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a link owned by another user needs root")
def test_a_link_planted_by_another_user_is_refused(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("keep me")
    planted = tmp_path / "report.pdf"
    planted.symlink_to(mine)
    os.lchown(planted, 65534, 65534)  # nobody
    with pytest.raises(Refused, match="link made by another user"):
        write(planted, b"pdf")
    assert mine.read_text() == "keep me"


def test_writing_to_dev_stdout_never_replaces_it(tmp_path):
    """`--out /dev/stdout` is a link to the terminal or a pipe: refused, the link kept."""
    r = subprocess.run(
        [sys.executable, "-c", "from psoas.files import target; target('/dev/stdout')"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0 and "not a regular file" in r.stderr
    assert os.path.islink("/dev/stdout")
