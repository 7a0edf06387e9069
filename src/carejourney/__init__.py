"""carejourney: every looked-after child's journey to a permanent home."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("carejourney")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
