"""nianbao — read, check, store and write China's government information disclosure annual reports."""

from nianbao.api import parse
from nianbao.errors import NianbaoError, ParseError
from nianbao.model import Report
from nianbao.rules import CheckResult, check
from nianbao.rules.engine import Finding
from nianbao.version import __version__

__all__ = ["CheckResult", "Finding", "NianbaoError", "ParseError", "Report", "__version__", "check",
           "parse"]
