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
    assert re.search(r"pip install '\.\[cli\]'", blocks[0])
    assert "edukoppel sync examples/" in blocks[0]
    assert "--store sqlite:///school.db" in blocks[0]
    assert blocks[1] == "python3 -m pip install nox && python3 -m nox -s tests\n"


def _readme_bash_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```bash\n(.*?)^```", text, re.DOTALL | re.MULTILINE)


def _readme_main_job() -> tuple[str, str]:
    """The first command, and the block that syncs the later export and shows the log."""
    blocks = _readme_bash_blocks()
    later = next(block for block in blocks[2:] if "edukoppel runs" in block)
    return blocks[0], later


def _copy_project(target: Path) -> None:
    """What a fresh checkout has that the README's commands use."""
    import shutil

    for name in ("src", "examples"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, target / name)


def _check_main_job_output(first: str, later: str, database: Path) -> None:
    assert "students │   6" in first  # the table of what the sync adds
    assert "Zoë Çelik" in first  # a sample of the pupils added, by name
    assert "Applied: #1" in first
    assert "Applied: #2" in later
    assert "Sync log" in later
    import edukoppel as ek

    store = ek.SqlStore(f"sqlite:///{database}")
    assert [run.outcome for run in store.runs()] == ["applied", "applied"]
    assert store.snapshot().students["00125"].archived  # the leaver
    assert store.snapshot().students["00127"].homeroom == "2VA"  # the class change
    store.close()


def test_the_readme_main_job_runs_as_written(tmp_path: Path) -> None:
    """The README's commands after its install step, word for word, in bash, in a checkout.

    The install step itself is the installed package here (see the slow test below for a
    fresh virtual environment); everything after `pip install '.[cli]' && ` runs as written.
    """
    import subprocess
    import sys

    first, later = _readme_main_job()
    after_install = first.split("pip install '.[cli]' && ", 1)[1]
    _copy_project(tmp_path)
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "EDUKOPPEL_LANGUAGE": "en",
        "COLUMNS": "100",
    }
    outputs = []
    for script in (after_install, later):
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    _check_main_job_output(*outputs, tmp_path / "school.db")


@pytest.mark.slow
def test_the_readme_main_job_in_a_fresh_virtual_environment(tmp_path: Path) -> None:
    """The README's first command exactly as written (venv, pip install, sync), then the rest."""
    import subprocess

    first, later = _readme_main_job()
    _copy_project(tmp_path)
    environment = {
        name: value for name, value in os.environ.items() if name not in ("VIRTUAL_ENV",)
    }
    environment.update({"EDUKOPPEL_LANGUAGE": "en", "COLUMNS": "100"})
    # Both blocks in one shell: the first activates the virtual environment for the second.
    marker = "=== the later export ==="
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", f"{first}\necho '{marker}'\n{later}"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    before, after = done.stdout.split(marker)
    _check_main_job_output(before, after, tmp_path / "school.db")


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
