"""``python -m mergesim``."""

import sys

from mergesim.cli import main

sys.exit(main())
