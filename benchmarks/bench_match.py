"""``ek.match_columns`` over real header sets, beside the work any fuzzy matcher must do.

The header sets are the tuning sets of the accuracy tests (``tests/mapping/corpus/``,
``heldout/`` and ``heldout2/`` to ``heldout14/``; never the blind sets from ``heldout15/`` on):
each TOML file's ``[columns]`` is a header and its ``[values]`` the sample cells, made into a
small :class:`~edukoppel.Table` as a user's file would be. Each set is matched with the
defaults a user gets (the entity the file names, presets recognised), best of the repeats.

Baseline, per set: the headers normalised by the matcher's own normaliser, then
their compact forms scored by ``rapidfuzz.fuzz.ratio`` against the compact form of every alias
the catalogue has for the entity (its own fields and its related kinds'), one score per pair
(``process.extract`` with no limit: ``process.cdist`` would need numpy, which edukoppel does
not depend on):
the least a matcher that compares headers with names must do. A real matcher does more
(values, context, words of several languages, a one-to-one assignment), so the ratio says how
much more, and is watched so that a growing vocabulary does not make it grow unnoticed.

Also: the first call's extra cost (loading the catalogue and the word lists), and the import
time of ``import edukoppel`` (``python -X importtime`` in fresh processes) with the share of
``edukoppel.mapping`` in it.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

import edukoppel as ek

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ["corpus", "heldout", *(f"heldout{number}" for number in range(2, 15))]
"""The tuning sets; the blind ones (``heldout15`` on) are never read here."""
TARGET = 14.0
"""At most this many times the baseline, over all sets (see docs/mapping.md, "Speed")."""


@attrs.frozen
class HeaderSet:
    name: str
    entity: str
    table: ek.Table


def load_set(path: Path) -> HeaderSet:
    """One TOML file's header and sample values as a table: row i holds each column's i-th."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    columns = list(data["columns"])
    values: dict[str, list[str]] = data.get("values", {})
    depth = max([len(samples) for samples in values.values()] + [1])
    rows = [
        [cycled[row % len(cycled)] if (cycled := values.get(column)) else "" for column in columns]
        for row in range(depth)
    ]
    table = ek.Table.from_rows(columns, rows, file=path.name)
    return HeaderSet(f"{path.parent.name}/{path.stem}", data.get("entity", "student"), table)


def header_sets() -> list[HeaderSet]:
    base = ROOT / "tests" / "mapping"
    return [load_set(path) for folder in FOLDERS for path in sorted((base / folder).glob("*.toml"))]


def baseline_for(entity: str) -> Callable[[ek.Table], Any]:
    """The fuzzy comparison of a table's headers with every alias of ``entity``'s fields."""
    from rapidfuzz import fuzz, process

    from edukoppel.mapping._catalogue import catalogue
    from edukoppel.mapping._normalise import normalise

    aliases = [
        form
        for spec in catalogue().for_entity(entity)  # type: ignore[arg-type]
        for _, form, _, _ in spec.forms
    ]

    def compare(table: ek.Table) -> Any:
        headers = [normalise(column).compact for column in table.columns]
        return [
            process.extract(header, aliases, scorer=fuzz.ratio, limit=None) for header in headers
        ]

    return compare


def best_of(call: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def import_times(runs: int) -> list[tuple[float, float, float]]:
    """``import edukoppel`` in fresh processes, per run, in ms: the whole import, that of
    ``edukoppel.mapping`` with what it imports (the readers, for the templates), and the
    mapping modules' own time alone."""
    out = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import edukoppel"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        total = mapping = own = 0.0
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "|" not in line:
                continue
            alone, cumulative, name = line.removeprefix("import time:").split("|")
            if not cumulative.strip().isdigit():
                continue  # the column titles
            name = name.strip()
            if name == "edukoppel":
                total = int(cumulative) / 1000
            elif name == "edukoppel.mapping":
                mapping = int(cumulative) / 1000
            if name.startswith("edukoppel.mapping"):
                own += int(alone) / 1000
        out.append((total, mapping, own))
    return out


def main(quick: bool) -> None:
    repeat = 1 if quick else 3
    start = time.perf_counter()
    sets = header_sets()
    columns = sum(len(one.table.columns) for one in sets)
    print(f"{len(sets)} header sets, {columns} columns, from {', '.join(FOLDERS)}")
    first = time.perf_counter()
    ek.match_columns(sets[0].table, entity=sets[0].entity)  # type: ignore[arg-type]
    cold = time.perf_counter() - first
    baselines = {entity: baseline_for(entity) for entity in sorted({s.entity for s in sets})}
    warm = best_of(lambda: ek.match_columns(sets[0].table, entity=sets[0].entity), repeat)  # type: ignore[arg-type]
    extra = 1000 * (cold - warm)
    print(f"  first call (loads the catalogue and the word lists): {extra:.0f} ms extra")
    matcher: list[float] = []
    baseline: list[float] = []
    for one in sets:
        entity, table = one.entity, one.table
        matcher.append(best_of(lambda: ek.match_columns(table, entity=entity), repeat))  # type: ignore[arg-type]  # noqa: B023
        baseline.append(best_of(lambda: baselines[entity](table), repeat))  # noqa: B023
    for label, times in (("match_columns", matcher), ("baseline (every alias scored)", baseline)):
        ms = [1000 * value for value in times]
        print(
            f"  {label} per header set: mean {statistics.mean(ms):.2f} ms, p50 "
            f"{percentile(ms, 0.5):.2f} ms, p99 {percentile(ms, 0.99):.2f} ms, "
            f"max {max(ms):.2f} ms"
        )
    ratio = sum(matcher) / sum(baseline)
    per_set = [m / b for m, b in zip(matcher, baseline, strict=True)]
    slowest = max(range(len(sets)), key=lambda index: matcher[index])
    print(
        f"  all sets: {sum(matcher):.3f}s vs baseline {sum(baseline):.3f}s -> time ratio "
        f"{ratio:.1f}x (per set: p50 {percentile(per_set, 0.5):.1f}x, p99 "
        f"{percentile(per_set, 0.99):.1f}x); slowest set {sets[slowest].name} "
        f"({len(sets[slowest].table.columns)} columns, {1000 * matcher[slowest]:.1f} ms)"
    )
    verdict = "met" if ratio <= TARGET else "MISSED"
    print(f"    target time ratio <= {TARGET:g}x: {verdict} ({ratio:.1f}x)")
    for number, (total, mapping, own) in enumerate(import_times(1 if quick else 3), start=1):
        print(
            f"  import edukoppel, fresh process {number}: {total:.0f} ms, of which "
            f"edukoppel.mapping {mapping:.0f} ms ({mapping / total:.0%}; its own modules "
            f"{own:.0f} ms, {own / total:.0%}; the rest is what they import, the readers most)"
        )
    print(f"  ({time.perf_counter() - start:.0f}s in all)")
