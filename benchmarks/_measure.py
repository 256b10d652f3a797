"""Shared measuring helpers: wall time and peak traced memory of one call."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

import attrs

T = TypeVar("T")


@attrs.frozen
class Measurement:
    """Best wall time over the repeats, and the peak memory the call allocated (tracemalloc)."""

    seconds: float
    peak_bytes: int
    cpu_seconds: float | None = None
    """Best CPU time of the process over the repeats (all threads), where measured."""

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20


def measure(call: Callable[[], T], *, repeat: int = 3) -> tuple[Measurement, T]:
    """Time ``call`` ``repeat`` times (best of), then trace its peak memory once."""
    best = float("inf")
    result: T
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
        del result
    gc.collect()
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measurement(seconds=best, peak_bytes=peak), result


def compare(calls: dict[str, Callable[[], object]], *, rounds: int = 5) -> dict[str, Measurement]:
    """Time several calls in interleaved rounds (a, b, c, a, b, c...), best of each.

    Wall time and CPU time (of every thread: a multi-threaded call uses more CPU than wall).

    On a shared machine the load drifts during a run; timing a baseline and its subject in
    turns, rather than one after the other, lets both see the same drift, so their ratio
    holds still. Peak memory is traced once per call afterwards.
    """
    best = dict.fromkeys(calls, float("inf"))
    best_cpu = dict.fromkeys(calls, float("inf"))
    for _ in range(rounds):
        for name, call in calls.items():
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            result = call()
            best[name] = min(best[name], time.perf_counter() - start)
            best_cpu[name] = min(best_cpu[name], time.process_time() - start_cpu)
            del result
    measured: dict[str, Measurement] = {}
    for name, call in calls.items():
        gc.collect()
        tracemalloc.start()
        try:
            call()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        measured[name] = Measurement(best[name], peak, cpu_seconds=best_cpu[name])
    return measured


def ratio_line(
    label: str,
    subject: Measurement,
    baseline: Measurement,
    *,
    targets: tuple[float, float] | None = None,
) -> str:
    """One printable line: times, peaks and the two ratios (subject / baseline)."""
    time_ratio = subject.seconds / baseline.seconds if baseline.seconds else float("inf")
    memory_ratio = subject.peak_bytes / baseline.peak_bytes if baseline.peak_bytes else float("inf")
    line = (
        f"{label}: {subject.seconds:.3f}s vs baseline {baseline.seconds:.3f}s "
        f"-> time ratio {time_ratio:.2f}x; peak {subject.peak_mib:.1f} MiB vs "
        f"{baseline.peak_mib:.1f} MiB -> memory ratio {memory_ratio:.2f}x"
    )
    if targets is not None:
        time_target, memory_target = targets
        ok_time = "met" if time_ratio <= time_target else "MISSED"
        ok_mem = "met" if memory_ratio <= memory_target else "MISSED"
        line += f" (targets {time_target}x time: {ok_time}, {memory_target}x memory: {ok_mem})"
    return line


def peak_rss_mib(setup: str, call: str) -> float:
    """How far the peak resident memory rose during ``call``, in MiB, native memory included.

    ``setup`` and ``call`` are Python source run in a fresh interpreter (with this project's
    root on ``sys.path``): ``setup`` imports and loads the input, so that only what ``call``
    allocates on top counts. tracemalloc cannot see what polars or calamine allocate in Rust;
    the process's high-water mark (``VmHWM``, reset just before the call) can. Linux only.
    """
    import subprocess
    import sys
    from pathlib import Path

    code = "\n".join(
        [
            "import gc",
            "def status(field):",
            "    with open('/proc/self/status') as handle:",
            "        for line in handle:",
            "            if line.startswith(field + ':'):",
            "                return int(line.split()[1])",
            setup,
            "gc.collect()",
            # Writing 5 to clear_refs resets the high-water mark (VmHWM) to the current RSS.
            "open('/proc/self/clear_refs', 'w').write('5')",
            "before = status('VmRSS')",
            f"result = {call}",
            "print((status('VmHWM') - before) / 1024)",
        ]
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    return float(done.stdout.strip().splitlines()[-1])
