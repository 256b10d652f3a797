"""Run the benchmarks: ``python -m benchmarks [--quick] [NAME ...]`` (``nox -s bench``).

Each ``benchmarks/bench_*.py`` module has a ``main(quick: bool) -> None`` that prints its
measurements and the ratios against its baseline. Nothing here asserts a time: the numbers are
read by people and written into the closing notes of issues.

Several benchmarks run each in a fresh Python process of its own, one after another: in one
process, the memory a benchmark left behind (the EDEXML one's hundreds of MiB, the allocator's
fragments) slowed the next one's subject more than its baseline (the XLSX reader: 1.35x its
baseline after the others, 1.00x alone).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
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
    if len(chosen) == 1:
        print(f"\n=== {chosen[0]} ===", flush=True)
        module = importlib.import_module(f"benchmarks.bench_{chosen[0]}")
        module.main(quick=args.quick)
        return 0
    failed = []
    for name in chosen:
        quick = ["--quick"] if args.quick else []
        command = [sys.executable, "-m", "benchmarks", *quick, name]
        if subprocess.run(command, cwd=here.parent, check=False).returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
