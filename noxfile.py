"""Developer sessions: ``nox -s tests``, ``lint``, ``typecheck``, ``docs``, ``bench``, ``fuzz``.

Every session installs what it needs from ``pyproject.toml``'s dependency groups, so a fresh
machine with Python 3.11 and ``pip install nox`` is enough.
"""

from __future__ import annotations

import nox

nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the whole test suite (unit, property-based, doctests, docs examples)."""
    session.install("-e", ".[all]", *nox.project.dependency_groups(PYPROJECT, "tests"))
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def fuzz(session: nox.Session) -> None:
    """The fuzz proof: 5,000 mutated workbooks, each read in a child process.

    ``nox -s fuzz -- 20000`` reads another number of them.
    """
    session.install("-e", ".[all]", *nox.project.dependency_groups(PYPROJECT, "tests"))
    count = session.posargs[0] if session.posargs else "5000"
    session.run("pytest", "-m", "fuzz", "tests/readers/test_fuzz.py", env={"EDUKOPPEL_FUZZ": count})


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff: lint and formatting check."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """Mypy in strict mode over the package."""
    session.install("-e", ".[all]", *nox.project.dependency_groups(PYPROJECT, "typecheck"))
    session.run("mypy")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The documentation site (MkDocs Material), built with warnings as errors."""
    session.install("-e", ".[all]", *nox.project.dependency_groups(PYPROJECT, "docs"))
    session.run("python", "docs/notebooks/make_explore.py", "--check")  # the notebook still runs
    site = session.create_tmp()
    session.run(
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        f"{site}/site",
        env={"NO_MKDOCS_2_WARNING": "1"},
    )


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks: ratios against a baseline measured in the same run (not a test).

    ``nox -s bench`` runs all of them at full size; ``nox -s bench -- --quick`` runs small sizes.
    """
    session.install("-e", ".[all]", *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.run("python", "-m", "benchmarks", *session.posargs)
