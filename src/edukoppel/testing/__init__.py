"""Testing tools for edukoppel and for the applications and stores built on it.

* :mod:`edukoppel.testing.strategies`: hypothesis strategies for realistic Dutch rosters.
* :class:`StoreConformance`: the test suite a storage adapter subclasses to check itself.
* :func:`assert_store_holds`: assert that a store reflects a roster after a sync.
* :func:`example_roster`: a small hand-written roster with every kind of record and link.

This package needs hypothesis (and pytest to run the conformance suite):
``pip install 'edukoppel[testing]'``. ``import edukoppel`` never imports it.
"""

from edukoppel._optional import import_optional
from edukoppel.exceptions import MissingDependencyError

import_optional("hypothesis", extra="testing", purpose="edukoppel.testing")

# pytest rewrites the asserts of test files only, not of an installed package: without this,
# a failing conformance check shows a bare AssertionError. It must run before _conformance is
# imported. Without pytest the strategies still work (and there is nothing to rewrite).
try:
    _pytest_module = import_optional(
        "pytest", extra="testing", purpose="the store conformance suite"
    )
except MissingDependencyError:
    pass
else:
    _pytest_module.register_assert_rewrite("edukoppel.testing._conformance")

# Imported after the checks, so a missing hypothesis says which extra to install.
from edukoppel.testing import strategies  # noqa: E402
from edukoppel.testing._conformance import (  # noqa: E402
    StoreConformance,
    assert_store_holds,
    example_roster,
)

__all__ = ["StoreConformance", "assert_store_holds", "example_roster", "strategies"]
