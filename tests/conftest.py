"""Shared test configuration: hypothesis profiles.

Choose one with ``EDUKOPPEL_HYPOTHESIS_PROFILE``:

* ``dev`` (default): 50 examples per property, quick enough to run on every change.
* ``ci``: 100 examples, derandomized (the same examples on every run, so CI is reproducible),
  no example database, and a reproduction blob printed for every failure.
* ``thorough``: 1000 examples, for a long hunt before a release.

No profile has a deadline: generated rosters vary a lot in size, so timing is not a signal.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}

settings.register_profile("dev", max_examples=50, **_COMMON)
settings.register_profile(
    "ci", max_examples=100, derandomize=True, database=None, print_blob=True, **_COMMON
)
settings.register_profile("thorough", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get("EDUKOPPEL_HYPOTHESIS_PROFILE", "dev"))
