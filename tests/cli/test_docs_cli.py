"""docs/cli.md shows the program's real output and its real exit codes."""

from __future__ import annotations

import re
from pathlib import Path

from edukoppel.cli import BLOCKED, ERROR, OK, STALE, USAGE

from .test_cli import edukoppel

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "cli.md"


def _console_blocks() -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    return re.findall(r"^```console\n(.*?)^```", text, re.DOTALL | re.MULTILINE)


def test_the_exit_code_table_is_the_programs() -> None:
    text = PAGE.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\d) \| ([^|]+) \|", text, re.MULTILINE))
    assert rows["0"].startswith("success")
    assert rows["1"].startswith("an error")
    assert rows["2"].startswith("usage")
    assert rows["3"].startswith("the plan is blocked")
    assert rows["4"].startswith("stale plan")
    assert (OK, ERROR, USAGE, BLOCKED, STALE) == (0, 1, 2, 3, 4)


def test_the_inspect_output_is_real(tmp_path: Path) -> None:
    """The inspect example, run again at the page's width, prints what the page shows."""
    block = next(block for block in _console_blocks() if block.startswith("$ edukoppel inspect"))
    command, *shown = block.splitlines()
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    done = edukoppel(*command.split()[2:], cwd=tmp_path, env={"COLUMNS": "100"})
    assert done.returncode == 0, done.stderr
    assert [line.rstrip() for line in done.stdout.splitlines()] == [line.rstrip() for line in shown]
