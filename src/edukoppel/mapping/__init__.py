"""Column mapping: from a school export's columns to the canonical fields.

:func:`match_columns` maps each column of a :class:`~edukoppel.Table` to a field of the
canonical model, with a confidence, the evidence and the runner-up candidates. It uses the
field catalogue (``fields.toml``: every field with the names exports give it), what the values
look like, presets for known layouts (``presets/*.toml``) and the decisions an admin saved in a
:class:`Profile`. See ``docs/mapping.md``.

Importing this package imports neither polars nor rapidfuzz; they load on first use.
"""

from edukoppel.mapping._catalogue import Catalogue, FieldSpec, Target, catalogue
from edukoppel.mapping._mapping import ACCEPT, ACCEPT_KEY, Candidate, ColumnMapping, ColumnMatch
from edukoppel.mapping._match import match_columns
from edukoppel.mapping._presets import Preset, detect, preset, presets
from edukoppel.mapping._profile import Profile
from edukoppel.mapping._template import TemplateColumn, template_columns, write_template
from edukoppel.mapping._usernames import RULES, make_usernames, username_from
from edukoppel.mapping._valuemap import ValueMap

__all__ = [
    "ACCEPT",
    "ACCEPT_KEY",
    "RULES",
    "Candidate",
    "Catalogue",
    "ColumnMapping",
    "ColumnMatch",
    "FieldSpec",
    "Preset",
    "Profile",
    "Target",
    "TemplateColumn",
    "ValueMap",
    "catalogue",
    "detect",
    "make_usernames",
    "match_columns",
    "preset",
    "presets",
    "template_columns",
    "username_from",
    "write_template",
]
