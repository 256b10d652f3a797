"""Write (and run) the example notebook: ``python docs/notebooks/make_explore.py``.

The notebook explores the example school's KIC-style exports (``examples/school/kic``): what
was read, how the columns were mapped, what looked wrong, and what changed from week 1 to
week 2. ``nox -s docs`` runs it again, so it cannot rot; the outputs committed with it are
what the docs site shows.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
CELLS = [
    (
        "markdown",
        "# Exploring a school's exports\n\nThe example school's KIC-style workbooks "
        "(klassen, leerlingen and medewerkers sheets), read in a notebook: what is in them, how "
        "the columns were mapped, what looked wrong, and what changed from one week to the next. "
        "Every name in them is made up.",
    ),
    (
        "code",
        "from pathlib import Path\n\nimport polars as pl\n\nimport edukoppel as ek\n\n"
        'SCHOOL = Path.cwd().parent.parent / "examples" / "school" / "kic"',
    ),
    ("markdown", "## Week 1: one workbook, three sheets, one roster"),
    ("code", 'week1 = ek.read_many(SCHOOL / "kic-week-1.xlsx", source_name="kic")\nweek1.roster'),
    ("markdown", "What each sheet held, as `ek.read` recognised it from the header:"),
    ("code", "[(part.table.sheet, part.mapping.entity, len(part.table)) for part in week1.parts]"),
    ("markdown", "How the pupils' columns were mapped, with the confidence and the evidence:"),
    ("code", "week1.parts[1].mapping"),
    ("markdown", "What looked wrong, or is worth knowing:"),
    ("code", "week1.report"),
    ("markdown", "## The pupils as a DataFrame"),
    (
        "code",
        'fields = ["first_name", "last_name", "homeroom", "year"]\n'
        'pupils = week1.roster.to_polars("student", fields=fields)\n'
        'pupils.group_by("homeroom").len().sort("homeroom")',
    ),
    (
        "markdown",
        "## Week 2: what changed\n\n`ek.diff` compares two exports without a store; "
        "a sync would use `ek.plan` against the store's snapshot.",
    ),
    (
        "code",
        'week2 = ek.read_many(SCHOOL / "kic-week-2.xlsx", source_name="kic")\n'
        "changes = ek.diff(week1.roster, week2.roster)\nchanges",
    ),
    (
        "markdown",
        "The changes at a glance: per kind and action, and per class the pupils who "
        "came, left or moved there.",
    ),
    (
        "code",
        "import matplotlib.pyplot as plt\n\n"
        "figure, (by_kind, by_class) = plt.subplots(1, 2, figsize=(10, 3.2))\n"
        "summary = changes.summary()\n"
        "kinds = [kind for kind, counts in summary.items() if any(counts.values())]\n"
        "bottom = [0] * len(kinds)\n"
        'for action in ("add", "update", "restore", "archive"):\n'
        "    counts = [summary[kind][action] for kind in kinds]\n"
        "    by_kind.bar(kinds, counts, bottom=bottom, label=action)\n"
        "    bottom = [b + c for b, c in zip(bottom, counts, strict=True)]\n"
        'by_kind.set_title("changes per kind")\n'
        "by_kind.legend()\n"
        'pupil_changes = changes.to_polars().filter(pl.col("entity") == "student")\n'
        'moved = pupil_changes.filter(pl.col("field") == "homeroom")\n'
        'classes = moved.group_by("new", "action").len().sort("new")\n'
        'for action, rows in classes.partition_by("action", as_dict=True).items():\n'
        '    by_class.bar(rows["new"], rows["len"], label=action[0], alpha=0.8)\n'
        'by_class.set_title("pupils into each class")\n'
        "by_class.legend()\n"
        "plt.show()",
    ),
    ("markdown", "How sure the matcher was of each column of the pupils' sheet:"),
    (
        "code",
        "mapping = week1.parts[1].mapping.to_polars()\n"
        "figure, axis = plt.subplots(figsize=(8, 2.8))\n"
        'axis.barh(mapping["column"], mapping["confidence"])\n'
        'axis.axvline(0.8, linestyle="--", color="grey")  # below this a column stays unmapped\n'
        "axis.set_xlim(0, 1)\n"
        "axis.invert_yaxis()\n"
        "plt.show()",
    ),
    ("markdown", "Which pupils changed class, by name:"),
    (
        "code",
        "frame = changes.to_polars(names=[week1.roster, week2.roster])\n"
        'frame.filter((pl.col("action") == "update") & (pl.col("field") == "homeroom"))',
    ),
]


def build() -> nbformat.NotebookNode:
    """The notebook's cells, without outputs."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for kind, source in CELLS:
        cell = (
            nbformat.v4.new_markdown_cell(source)
            if kind == "markdown"
            else nbformat.v4.new_code_cell(source)
        )
        notebook.cells.append(cell)
    return notebook


def run(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Run every cell in this folder (so the examples' paths hold); outputs in place."""
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}
    )
    client.execute()
    return notebook


if __name__ == "__main__":
    import sys

    path = HERE / "explore.ipynb"
    if "--check" in sys.argv:  # nox -s docs: the committed notebook still runs
        run(nbformat.read(path, as_version=4))
    else:
        nbformat.write(run(build()), path)
