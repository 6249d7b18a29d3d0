"""`python -m bench`: measure the live loop (see bench/README.md)."""

import sys

from .run import program

sys.exit(program())
