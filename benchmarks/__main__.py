"""Run the benchmarks: ``python -m benchmarks [--quick] [NAME ...]`` (``nox -s bench``).

Each ``benchmarks/bench_*.py`` module has a ``main(quick: bool) -> None`` that prints its
measurements and the ratios against its baseline. Nothing here asserts a time: the numbers are
read by people and written into the closing notes of issues.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "names", nargs="*", help="which benchmarks (e.g. plan readers); default all"
    )
    args = parser.parse_args(argv)
    here = Path(__file__).parent
    found = sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules([str(here)])
        if info.name.startswith("bench_")
    )
    chosen = args.names or found
    unknown = sorted(set(chosen) - set(found))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {found}")
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(f"benchmarks.bench_{name}")
        module.main(quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
