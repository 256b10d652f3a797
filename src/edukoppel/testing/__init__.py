"""Testing tools for edukoppel and for the applications and stores built on it.

* :mod:`edukoppel.testing.strategies`: hypothesis strategies for realistic Dutch rosters.
* :class:`StoreConformance`: the test suite a storage adapter subclasses to check itself.
* :func:`assert_store_holds`: assert that a store reflects a roster after a sync.
* :func:`example_roster`: a small hand-written roster with every kind of record and link.

This package needs hypothesis (and pytest to run the conformance suite):
``pip install 'edukoppel[testing]'``. ``import edukoppel`` never imports it.
"""

from edukoppel._optional import import_optional

import_optional("hypothesis", extra="testing", purpose="edukoppel.testing")

# Imported after the check, so a missing hypothesis says which extra to install.
from edukoppel.testing import strategies  # noqa: E402
from edukoppel.testing._conformance import (  # noqa: E402
    StoreConformance,
    assert_store_holds,
    example_roster,
)

__all__ = ["StoreConformance", "assert_store_holds", "example_roster", "strategies"]
