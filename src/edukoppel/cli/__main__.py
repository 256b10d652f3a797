"""``python -m edukoppel.cli``: the ``edukoppel`` command."""

import sys

from edukoppel.cli import main

sys.exit(main())
