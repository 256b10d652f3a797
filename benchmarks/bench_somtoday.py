"""Somtoday Connect reads through the emulator: concurrent against strictly sequential (issue 10).

The emulator adds 20 ms to every request (a server across the internet); the data is 20k
pupils, 1k groups, 1.5k staff and 30k guardians over 3 vestigingen. The same read runs with at
most 8 requests in flight (lists of every vestiging and endpoint side by side, long lists
fetched ahead) and with ``concurrency=1`` (one request after the other), in turns, best of the
rounds. Target: the concurrent read at least 4x faster. Also printed: the requests each made,
beside the fewest the data needs (every list's pages up to its first short one), and the
highest number in flight the emulator saw.

Pages overlap by one record, so that a list shifting between two pages is seen (and read
again): a list of n records takes ``2 + (n - 200) // 199`` pages (1 below 200) instead of
``n // 200 + 1``. The benchmark prints what that costs on its data, in requests and in the
time of a sequential read (one request more is one round trip more).

The emulator runs in a process of its own, as a real server would: in the benchmark's own
process its threads would take the interpreter's lock from the reader, and the numbers would
measure the emulator.
"""

from __future__ import annotations

import multiprocessing
import sys
from multiprocessing.connection import Connection
from typing import Any

from benchmarks._measure import compare
from edukoppel.somtoday import read_somtoday
from edukoppel.testing.somtoday import SomtodayEmulator, generated_instelling

LATENCY = 0.02


def fewest_requests(counts: list[int], page_size: int = 200, *, overlap: bool = True) -> int:
    """Token, vestiging list, instelling, then per list its full pages and one short page.

    With ``overlap`` (as the client reads), each page starts with the last record of the one
    before it; without, ``offset`` goes up by a whole page (a reader that cannot see a shift).

    Examples:
        >>> fewest_requests([0, 199, 200, 399]), fewest_requests([0, 199, 200, 399], overlap=False)
        (10, 9)
    """
    if not overlap:
        return 3 + sum(count // page_size + 1 for count in counts)
    return 3 + sum(
        1 if count < page_size else 2 + (count - page_size) // (page_size - 1) for count in counts
    )


def serve(sizes: dict[str, int], pipe: Connection, latency: float = LATENCY) -> None:
    """The emulator's process: answer requests until told to stop; report its counts."""
    # The emulator's threads hand the interpreter's lock to each other after every bit of
    # I/O; at the default interval of 5 ms, a thread back from the socket waits that long.
    sys.setswitchinterval(0.0002)
    instelling = generated_instelling(**sizes, vestigingen=3)
    counts = [
        len(vestiging.records[name])
        for vestiging in instelling.vestigingen
        for name in ("leerling", "medewerker", "stamgroep", "lesgroep", "ouderVerzorger")
    ]
    with SomtodayEmulator([instelling], latency=latency) as server:
        pipe.send((server.credentials(), counts))
        while (command := pipe.recv()) != "stop":
            if command == "reset":
                server.reset_log()
                pipe.send(None)
            else:
                pipe.send((server.request_count(), server.max_in_flight))


def main(quick: bool) -> None:
    sizes = (
        {"students": 2_000, "groups": 100, "staff": 150, "guardians": 3_000}
        if quick
        else {"students": 20_000, "groups": 1_000, "staff": 1_500, "guardians": 30_000}
    )
    from edukoppel.somtoday._client import _decoder

    decoder = "orjson" if _decoder().__module__.startswith("orjson") else "json (standard library)"
    print(f"data: {sizes} over 3 vestigingen, latency {LATENCY * 1000:.0f} ms per request")
    print(f"pages decoded by {decoder} (pip install orjson: the optional, faster decoder)")
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=serve, args=(sizes, theirs), daemon=True)
    process.start()
    try:
        credentials, counts = ours.recv()
        requests: dict[str, int] = {}
        in_flight: dict[str, int] = {}

        def reader(concurrency: int, name: str) -> Any:
            def call() -> object:
                ours.send("reset")
                ours.recv()
                result = read_somtoday(**credentials, concurrency=concurrency)
                ours.send("count")
                requests[name], in_flight[name] = ours.recv()
                assert len(result.roster.students) == sizes["students"]
                return result

            return call

        read_somtoday(**credentials)  # warm up: imports, the first connections
        measured = compare(
            {"concurrent (8)": reader(8, "concurrent (8)"), "sequential": reader(1, "sequential")},
            rounds=2 if quick else 3,
        )
    finally:
        ours.send("stop")
        process.join()
    fewest = fewest_requests(counts)
    naive = fewest_requests(counts, overlap=False)
    for name, measurement in measured.items():
        print(
            f"{name:>16}: {measurement.seconds:6.2f} s wall, {measurement.cpu_seconds or 0:5.2f} s"
            f" CPU, {requests[name]} requests (fewest the data needs: {fewest}),"
            f" at most {in_flight[name]} in flight, peak {measurement.peak_mib:.0f} MiB"
        )
    extra = fewest - naive
    sequential_seconds = measured["sequential"].seconds
    print(
        f"the shift defence (pages overlapping by one record): {extra} request(s) more than"
        f" {naive} without it, about {extra * sequential_seconds / requests['sequential']:.2f} s"
        f" of the sequential read, and one record more decoded per page"
    )
    concurrent, sequential = measured["concurrent (8)"], measured["sequential"]
    ratio = sequential.seconds / concurrent.seconds
    print(f"concurrent read {ratio:.1f}x faster than sequential (target: at least 4x)")
    waits = [m.seconds - (m.cpu_seconds or 0) for m in (concurrent, sequential)]
    print(
        f"time not spent on the reader's CPU (waiting for the server): {waits[0]:.2f} s against"
        f" {waits[1]:.2f} s; the rest is decoding JSON and building the records, the same in both"
    )
