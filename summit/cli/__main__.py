"""``python -m summit.cli ...`` (e.g. under ``torchrun``): the same as the ``summit`` command."""

import sys

from summit.cli import main

sys.exit(main())
