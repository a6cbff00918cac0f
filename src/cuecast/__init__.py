"""cuecast: turn a stretching, mobility or breathing routine into one voice-guided MP3."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cuecast")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
