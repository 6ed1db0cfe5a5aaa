"""``python -m bench``: every speed and memory benchmark (see bench/README.md)."""

import sys

from bench.scale import main

sys.exit(main())
