"""The recipes of docs/fleet.md that need a cluster or Celery (```py blocks), for the tests."""

from __future__ import annotations

import re
from pathlib import Path

FLEET_MD = Path(__file__).resolve().parents[2] / "docs" / "fleet.md"


def recipe(name: str) -> str:
    """The ```py block after ``<!-- recipe: name -->`` in docs/fleet.md."""
    text = FLEET_MD.read_text(encoding="utf-8")
    found = re.search(rf"<!-- recipe: {name} -->\n```py\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    assert found is not None, f"docs/fleet.md has no recipe {name!r}"
    return found.group(1)
