"""Version of the parser; stored with every result so re-parsing after an upgrade can be traced."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nianbao")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

PARSER_VERSION = __version__
