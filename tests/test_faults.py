"""Faults a server meets, in each command that writes a snapshot (`build`, `align DIR`, `build
--base`): a full disk, SIGTERM and Ctrl-C end in one line and a non-zero exit, leave no temporary
files and every snapshot byte for byte as it was; a SIGKILL leaves the old snapshot or the new one,
never a mix, and the next run cleans up. Real processes and real signals, at random moments."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import REPO, SEEDS, write_ntrex_jsonl

from quotetrace import cli, corpus
from quotetrace.corpus.attribution.learned import TaggerOptions


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of NTREX documents (not aligned), the feed it came from, and a second feed."""
    work = tmp_path_factory.mktemp("faults")
    feed = write_ntrex_jsonl(work / "ntrex.jsonl", 4, ("eng", "rus"))
    more = write_ntrex_jsonl(work / "more.jsonl", 1, ("fra",))
    assert cli_run("build", feed, "--out", work / "pristine", "--no-align", "--no-tagger", "-q").returncode == 0
    assert more.exists()
    return work


COMMANDS = {  # each writes "{out}" (a copy of the pristine snapshot); "{base}" is another copy
    "build": ("build", "{feed}", "--out", "{out}", "--overwrite", "--no-tagger", "-q"),
    "align": ("align", "{out}", "-q"),
    "build --base": ("build", "{more}", "--base", "{base}", "--out", "{out}", "--overwrite", "--no-tagger", "-q"),
}
# The kills' incremental build skips the align stage (whose kills `align` covers): the same writer and
# commit in a third of the time, as every run loads the encoder's libraries first.
COMMANDS["build --base --no-align"] = (*COMMANDS["build --base"][:-1], "--no-align", "-q")
SIGNALLED = ("align", "build", "build --base")


def cli_run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quotetrace.cli", *map(str, args)], capture_output=True, text=True, cwd=REPO, timeout=300
    )


def prepare(work: Path, place: Path, command: str) -> tuple[list[str], Path, Path]:
    """A fresh place for one run of ``command``: its arguments, its output (holding the previous
    snapshot, a copy of the pristine one) and its base."""
    place.mkdir(parents=True, exist_ok=True)
    out, base = place / "snapshot", place / "base"
    for snapshot in (out, base):  # what killed runs left beside them stays, for the next run to clean
        shutil.rmtree(snapshot, ignore_errors=True)
        shutil.copytree(work / "pristine", snapshot)
    values = {"feed": work / "ntrex.jsonl", "more": work / "more.jsonl", "out": out, "base": base}
    return [str(a).format(**values) for a in COMMANDS[command]], out, base


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def tables(folder: Path) -> dict[str, str]:
    """The snapshot's tables by content (the manifest's timestamps left out)."""
    return {name: digest for name, digest in hashes(folder).items() if name.endswith(".parquet")}


def leftovers(place: Path) -> list[str]:
    """Anything a run left beside the snapshots but its lock files."""
    return sorted(
        p.name for p in place.iterdir() if p.name not in ("snapshot", "base") and not p.name.endswith(".lock")
    )


@pytest.mark.parametrize("command", SIGNALLED)
def test_a_full_disk_ends_in_one_line_and_leaves_every_snapshot_as_it_was(work, tmp_path, monkeypatch, capsys, command):
    """The disk fills while each table in turn is written (Arrow's own error, as a full tmpfs gives it)."""
    written: list[str] = []
    real_write = pq.ParquetWriter.write_table
    failing = {"build": "articles", "align": "quote_links", "build --base": "articles"}[command]

    def write_table(self: pq.ParquetWriter, table: object, *args: object, **kwargs: object) -> None:
        name = Path(str(self.where)).name.removesuffix(".parquet")
        written.append(name)
        if name == failing:
            raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")
        real_write(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", write_table)
    args, out, base = prepare(work, tmp_path / "place", command)
    before, base_before = hashes(out), hashes(base)
    monkeypatch.setattr(sys, "argv", ["quotetrace", *args])
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(SystemExit) as ended:
            cli.main()
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    stderr = capsys.readouterr().err
    assert failing in written and ended.value.code == 1
    assert stderr == f"Error: no space left on the disk of {out.parent}: {out} is as it was; free space and run again\n"
    assert hashes(out) == before and hashes(base) == base_before
    assert leftovers(tmp_path / "place") == []


def test_a_full_disk_reported_by_python_itself_is_the_same_one_line(work, tmp_path, monkeypatch):
    """ENOSPC from the file system (the manifest's write) rather than from Arrow."""
    from quotetrace.errors import SnapshotError

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", no_space)
    out = tmp_path / "fresh"
    with pytest.raises(SnapshotError, match=f"no space left on the disk of {tmp_path}: nothing was written at {out}"):
        corpus.build_snapshot([SEEDS], out, corpus.BuildOptions(workers=1, tagger=TaggerOptions(enabled=False)))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".fresh.lock"]


@dataclass(frozen=True)
class Whole:
    """One whole run of a command: when it began writing and ended (seconds from its start; signals
    and kills fall between), and the tables it wrote (the "new snapshot")."""

    writing: float
    seconds: float
    new: dict[str, str]


@pytest.fixture(scope="module")
def whole(work: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Whole]:
    runs = {}
    for command in COMMANDS:
        place = tmp_path_factory.mktemp("whole")
        args, out, _ = prepare(work, place, command)
        process, started = start(args), time.monotonic()
        writing = wait_for_writing(process, place) - started
        assert process.wait(timeout=300) == 0, process.communicate()
        runs[command] = Whole(writing, time.monotonic() - started, tables(out))
    return runs


def start(args: list[str]) -> subprocess.Popen[str]:
    """``quotetrace ARGS`` in a session of its own (so Ctrl-C can reach its whole process group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "quotetrace.cli", *args], cwd=REPO, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip


def wait_for_writing(process: subprocess.Popen[str], place: Path) -> float:
    """Wait until ``process`` has made its temporary snapshot (or ended); returns when."""
    while process.poll() is None and not list(place.glob(".*.tmp-*")):
        time.sleep(0.005)
    return time.monotonic()


@pytest.mark.slow
def test_sigterm_and_ctrl_c_end_each_command_in_one_line_and_change_nothing(work, whole, tmp_path):
    place = tmp_path / "place"
    rng = random.Random(11)
    stopped: Counter[str] = Counter()
    for attempt in range(8):
        command = SIGNALLED[attempt % 3]
        signum = (signal.SIGTERM, signal.SIGINT)[attempt % 2]
        args, out, base = prepare(work, place, command)
        before, base_before = hashes(out), hashes(base)
        process, run = start(args), whole[command]
        if attempt % 4:  # mostly while it writes, else while it starts
            wait_for_writing(process, place)
            time.sleep(rng.uniform(0, 0.3) * (run.seconds - run.writing))
        else:
            time.sleep(rng.uniform(0.2, 0.8) * run.writing)
        stage = "writing" if list(place.glob(".*.tmp-*")) else "starting"
        if process.poll() is not None:  # faster than the first run (cold caches): no signal this time
            assert process.returncode == 0 and tables(out) == run.new, process.communicate()
            stopped["finished before the signal"] += 1
            continue
        if signum == signal.SIGINT:  # Ctrl-C reaches the whole foreground process group (workers too)
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
        name = signal.Signals(signum).name
        assert hashes(base) == base_before, (command, name, stage)
        if hashes(out) != before:  # the signal came after the commit (even as Python exited): the new snapshot
            assert tables(out) == run.new and process.returncode in (0, -signum, 128 + signum), (command, name)
            stage = "committed"
        elif stage == "starting" and process.returncode == -signum and not stderr:
            stage = "importing"  # before the command began: the signal's default action, nothing to undo
        else:
            assert process.returncode == 128 + signum, (command, name, stage, stderr)
            message = f"Error: stopped by {name}: temporary files removed, no snapshot left half written\n"
            assert stderr == message, stderr
        assert leftovers(place) == [], (command, name, stage)
        stopped[f"{command} {name} {stage}"] += 1
    print(f"stopped cleanly: {dict(stopped)}")
    assert sum(n for key, n in stopped.items() if key.endswith("writing")) >= 4


@pytest.mark.slow
@pytest.mark.parametrize("command", ["align", "build --base --no-align"])
def test_kills_leave_the_old_snapshot_or_the_new_one_never_a_mix(work, whole, tmp_path, command):
    place, run, rng = tmp_path / "place", whole[command], random.Random(5)
    outcomes: Counter[str] = Counter()
    for _ in range(20):
        args, out, base = prepare(work, place, command)
        old, base_before = hashes(out), hashes(base)
        process = start(args)
        wait_for_writing(process, place)
        time.sleep(rng.uniform(0, 1.1) * (run.seconds - run.writing))  # a few after the commit
        process.kill()
        process.wait()
        assert hashes(base) == base_before
        if hashes(out) == old:
            outcomes["old"] += 1
        else:
            assert tables(out) == run.new, "a kill left a snapshot that is neither the old one nor the new one"
            corpus.open_snapshot(out)
            outcomes["new"] += 1
        outcomes["left temporary files"] += bool(leftovers(place))
    print(f"{command}: 20 kills, {dict(outcomes)}")
    assert outcomes["old"] >= 10 and outcomes["left temporary files"] >= 5
    assert cli_run(*args).returncode == 0  # the next run cleans up what the kills left
    assert leftovers(place) == [] and tables(out) == run.new
