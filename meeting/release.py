"""This release's number, as installed from pyproject.toml.

CHANGELOG.md says what changed in each release and what an operator must do to upgrade.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("meeting")
except PackageNotFoundError:  # run from a copy of the code that was never installed
    VERSION = "unknown"
