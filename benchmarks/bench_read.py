"""``ek.read`` (read, match, convert) against a plain polars parse into tuples, in one run.

Issue 8's targets: the 200k-row, 15-column roster CSV of the readers benchmark, read into a
Roster by ``ek.read`` within 4x the time of ``polars.read_csv(..., infer_schema=False)``
followed by ``frame.rows()`` (one plain tuple per row); and a peak memory within 2x of what
the resulting Roster retains.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks._measure import compare, ratio_line
from benchmarks.bench_readers import roster_csv

_MEMORY = """
import gc, sys, tracemalloc
def status(field):
    with open('/proc/self/status') as handle:
        for line in handle:
            if line.startswith(field + ':'):
                return int(line.split()[1])
import edukoppel as ek, polars, rapidfuzz, python_calamine
from benchmarks.bench_readers import roster_csv
data = roster_csv(int(sys.argv[1])).encode()
ek.read(roster_csv(50).encode(), name="warm.csv")  # imports and caches, outside the count
gc.collect()
if sys.argv[2] == "peak":
    open('/proc/self/clear_refs', 'w').write('5')
    before = status('VmRSS')
    result = ek.read(data, name="leerlingen.csv")
    print((status('VmHWM') - before) / 1024)
else:  # what the result keeps: its Python objects (traced) and the table's polars frame
    tracemalloc.start()
    result = ek.read(data, name="leerlingen.csv")
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0] + result.table._frame.estimated_size()
    print(kept / 2**20)
"""


def _memory(rows: int) -> tuple[float, float]:
    """Peak resident memory added during ek.read, and what the result keeps, in MiB.

    Two fresh interpreters: one reads the process's high-water mark (native memory
    included, no tracing to inflate it); the other counts what the result keeps, its Python
    objects as tracemalloc sees them plus the table's polars frame.
    """
    root = Path(__file__).resolve().parent.parent

    def one(mode: str) -> float:
        done = subprocess.run(
            [sys.executable, "-c", _MEMORY, str(rows), mode],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
        )
        return float(done.stdout.split()[-1])

    return one("peak"), one("kept")


def run(rows: int, rounds: int) -> None:
    import polars as pl

    import edukoppel as ek

    data = roster_csv(rows).encode()
    print(f"-- {rows:,} rows x 15 columns, {len(data) / 2**20:.1f} MiB", flush=True)

    def baseline() -> object:
        frame = pl.read_csv(data, separator=";", infer_schema=False)
        return frame.rows()

    def subject() -> object:
        return ek.read(data, name="leerlingen.csv")

    result = ek.read(data, name="leerlingen.csv")
    print(f"   {result!r}")
    print(f"   mapped: {sorted(result.mapping.targets.values()) if result.mapping else []}")
    timed = compare({"baseline": baseline, "ek.read": subject}, rounds=rounds)
    print("   " + ratio_line("ek.read", timed["ek.read"], timed["baseline"], targets=(4.0, 99.0)))
    peak, retained = _memory(rows)
    share = peak / retained if retained > 0 else float("inf")
    verdict = "met" if share <= 2.0 else "MISSED"
    print(
        f"   peak resident memory during ek.read {peak:.1f} MiB, retained by the result "
        f"{retained:.1f} MiB -> {share:.2f}x (target 2x: {verdict})"
    )


def main(quick: bool) -> None:
    if quick:
        run(10_000, rounds=3)
    else:
        run(200_000, rounds=5)
