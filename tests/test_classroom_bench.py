"""`python -m bench.classroom` in small: two students, a few strokes, a tiny sweep of one page, no errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import IN_CI

from bench.browser import CHROMIUM, ROOT

# A guard against a hang, not a timing assertion: the benchmark bounds every wait itself (--deadline).
HANG_GUARD_S = 900
SMALL_CLASS = [
    "--parts", "sweep,strokes,load",
    "--pages", "draw",
    "--students", "2",
    "--seconds", "4",
    "--strokes", "2",
    "--rounds", "1",
    # Enough server CPU in each block for a 10 ms clock tick to show: every figure comes out positive.
    "--min-cpu-ms", "20",
    "--min-reruns", "100",
    "--deadline", "600",
]  # fmt: skip


@pytest.fixture
def chromium() -> None:
    """Debian's Chromium is installed: skip without it, but fail in CI, where it must be."""
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("/usr/bin/chromium is missing: .ci/run must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


@pytest.fixture
def figures(chromium: None, mnist_dir_or_offline: None, tmp_path: Path) -> dict:
    """The benchmark's figures for a small class (in a process of its own: it runs its own Playwright)."""
    output = tmp_path / "classroom.json"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.classroom", *SMALL_CLASS, "--json", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    return json.loads(output.read_text())


def test_a_small_class_is_served_without_errors(figures: dict) -> None:
    assert figures["failures"] == []
    sweep = figures["sweep"]
    assert sweep["errors"] == []
    assert sweep["bare_ms_per_stroke"] > 0
    measured = [row for row in sweep["rows"] if row["reruns"]]
    assert measured, "no widget of the page was swept"
    for row in measured:
        assert row["errors"] == [], row
        assert row["ms_per_rerun"] > 0, row
        assert row["ratio"] > 0, row
    for row in figures["strokes"]["rows"]:
        assert row["errors"] == [], row
        assert row["strokes"] > 0, row
        assert row["ms_per_stroke"] > 0, row
    assert figures["strokes"]["rerun_differences"] == []
    for row in figures["load"]:
        assert row["in_class"] == row["students"] == 2, row
        assert row["sent"] > 0, row
        assert row["answered"] == row["sent"], row
        assert row["errors"] == row["lost"] == 0, row
        assert row["p50_ms"] > 0, row
        assert row["cpu_ms_per_answer"] > 0, row
        assert row["peak_rss_mb"] > 0, row


def worktrees() -> list[str]:
    """The git worktrees of the project."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "list", "--porcelain"],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in listed.stdout.splitlines() if line.startswith("worktree ")]


def test_a_change_is_measured_against_a_revision_side_by_side(chromium: None, mnist_dir_or_offline: None):
    before = worktrees()
    completed = subprocess.run(
        [sys.executable, "-m", "bench.ab", "--base", "HEAD", "--page", "draw", "--action", "stroke",
         "--rounds", "1", "--min-cpu-ms", "20", "--min-reruns", "10"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    rows = {line[:16].strip(): line[16:].split() for line in completed.stdout.splitlines()}
    for name in ("base (HEAD)", "this checkout"):
        actions, cpu_ms, ms_per_action = rows[name]
        assert int(actions) >= 2, rows[name]
        assert float(cpu_ms) > 0, rows[name]
        assert float(ms_per_action) > 0, rows[name]
    [ratio] = [line for line in completed.stdout.splitlines() if line.startswith("this checkout / base: ")]
    assert float(ratio.rpartition(" ")[2]) > 0
    assert "errors: 0" in completed.stdout
    assert worktrees() == before, "the base's worktree was left behind"
