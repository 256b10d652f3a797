"""The mapping's faster set converters give exactly what the model's own converters give."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from edukoppel.exceptions import InvalidValueError
from edukoppel.model import Guardian, Student
from edukoppel.model._values import _Invalid
from edukoppel.somtoday._mapping import _guardian_links, _per_item

# Keys as Somtoday sends them, and what a damaged or odd one looks like.
keys = st.one_of(
    st.sampled_from(["1a", "2b", " 1a", "1a ", "", "  ", "1,5E+03", "00123", "Ünïcode"]),
    st.text(max_size=6),
)
relations = st.one_of(st.none(), st.sampled_from(["Ouder", " Moeder ", "", "voogd"]), st.text())
flags = st.one_of(st.none(), st.booleans(), st.sampled_from(["ja", "nee", "1", "0", "misschien"]))


def outcome(convert: Any, value: Any) -> Any:
    """The converted value, or what the refusal says: the two converters must agree on both."""
    try:
        return ("ok", convert(value))
    except (_Invalid, InvalidValueError) as error:
        return ("refused", type(error), str(error))


@given(st.lists(st.lists(keys, max_size=6), max_size=8))
def test_per_item_identifier_sets_are_the_field_converters_own(values: list[list[str]]) -> None:
    convert = attrs.fields(Student).groups.converter
    fast = _per_item(convert)  # one cache across rows, as in a read
    for value in values:
        assert outcome(fast, value) == outcome(convert, value)


@given(
    st.lists(
        st.lists(
            st.fixed_dictionaries(
                {
                    "student": keys,
                    "relation": relations,
                    "legal_authority": flags,
                    "receives_mail": flags,
                }
            ),
            max_size=4,
        ),
        max_size=6,
    )
)
def test_guardian_links_are_the_field_converters_own(values: list[list[dict[str, Any]]]) -> None:
    convert = attrs.fields(Guardian).students.converter
    fast = _guardian_links(convert)
    for value in values:
        assert outcome(fast, value) == outcome(convert, value)


@pytest.mark.parametrize("value", [None, (), "1a", [{"student": "1a"}], [["1a", "ouder"]]])
def test_anything_else_goes_to_the_field_converter(value: Any) -> None:
    convert = attrs.fields(Guardian).students.converter
    assert outcome(_guardian_links(convert), value) == outcome(convert, value)
    ids = attrs.fields(Student).groups.converter
    assert outcome(_per_item(ids), value) == outcome(ids, value)
