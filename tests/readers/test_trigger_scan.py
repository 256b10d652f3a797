"""scan_bytes: which trigger bytes a file's text holds, searched a chunk at a time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edukoppel.readers.table import _damage
from edukoppel.readers.table._damage import TRIGGERS, scan_bytes

# Text made of the triggers' bytes and their neighbours, so that needles fall on chunk
# boundaries, come in pieces ("Err" without ":") and overlap.
PIECES = st.sampled_from([*TRIGGERS, b"E", b"rr", b":", b"r:", b";", b"a", b"\n", b"Err", b"1"])


@given(st.lists(PIECES, max_size=120), st.sampled_from([1, 2, 3, 7, 64]))
def test_scan_bytes_finds_exactly_the_triggers_the_text_holds(
    pieces: list[bytes], chunk: int
) -> None:
    data = b"".join(pieces)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_damage, "_SCAN_CHUNK", chunk)
        found = scan_bytes(data)
    assert found == {needle for needle in TRIGGERS if needle in data}


def test_a_several_byte_trigger_split_over_two_chunks_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_damage, "_SCAN_CHUNK", 8)
    data = b"1;2;3;Er" + b"r:502;4"  # the chunk boundary falls inside Err:
    assert scan_bytes(data) == {b"Err:"}
