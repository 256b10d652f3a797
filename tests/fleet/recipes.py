"""The recipes of docs/fleet.md that need a cluster or Celery (```py blocks), for the tests."""

from __future__ import annotations

import re
from pathlib import Path

FLEET_MD = Path(__file__).resolve().parents[2] / "docs" / "fleet.md"


def recipe(name: str, language: str = "py") -> str:
    """The ```py (or other ``language``) block after ``<!-- recipe: name -->`` in docs/fleet.md."""
    text = FLEET_MD.read_text(encoding="utf-8")
    pattern = rf"<!-- recipe: {name} -->\n```{language}\n(.*?)^```"
    found = re.search(pattern, text, re.DOTALL | re.MULTILINE)
    assert found is not None, f"docs/fleet.md has no recipe {name!r}"
    return found.group(1)
