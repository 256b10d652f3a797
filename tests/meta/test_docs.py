"""The Python examples in README.md and docs/ run, top to bottom, as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(path: Path) -> list[str]:
    return BLOCK.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_examples_run(document: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every ```python block of a document runs in one namespace, in an empty directory."""
    blocks = python_blocks(document)
    namespace: dict[str, object] = {"__name__": f"docs_{document.stem}"}
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        for number, block in enumerate(blocks, 1):
            code = compile(block, f"{document.name} (python block {number})", "exec")
            exec(code, namespace)
    finally:
        os.chdir(cwd)
    capsys.readouterr()


def test_readme_starts_with_the_two_commands() -> None:
    """The README opens with the install-and-run command and the test command, in that order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```bash\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    assert text.index("```bash") < text.index("```python")
    assert re.search(r"pip install '?\.", blocks[0])
    assert "examples/quickstart.py" in blocks[0]
    assert "nox -s tests" in blocks[1]


def test_ci_runs_the_readme_test_command() -> None:
    """`.ci/run` runs the same nox test session the README tells people to run."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "nox -s tests" in ci


def test_the_quickstart_syncs_the_example_exports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's main job: two weekly exports ("ANSI", a title above the header) synced
    into a SQLite file, which the script keeps when it is given a name."""
    import runpy
    import sys

    monkeypatch.setattr(sys, "argv", ["quickstart.py", str(tmp_path / "school.db")])
    cwd = Path.cwd()
    os.chdir(tmp_path)  # the script finds its exports next to itself, not in the cwd
    try:
        runpy.run_path(str(ROOT / "examples" / "quickstart.py"), run_name="__main__")
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert out.count("encoding windows-1252, delimiter ';', header on row 4") == 2
    assert "students: 6 add" in out
    assert "students: 1 add, 3 update, 1 archive" in out
    assert "Çelik-Jansen" in out
    assert "archived students (never deleted): ['00125']" in out
    import edukoppel as ek

    store = ek.SqlStore(f"sqlite:///{tmp_path / 'school.db'}")
    assert [run.outcome for run in store.runs()] == ["applied", "applied"]
    assert store.snapshot().students["00125"].archived
    store.close()
