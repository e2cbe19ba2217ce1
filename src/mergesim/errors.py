"""User-facing errors.

Every mistake a researcher can make in a scenario file, a data file or on the command line is
raised as a :class:`UserError` (or a subclass). The CLI prints its one-line message and exits
with code 2; no traceback is shown. Programming errors stay ordinary exceptions, so a bug still
gives a traceback.
"""

from __future__ import annotations

import errno

EXIT_USER_ERROR = 2

#: ``OSError`` numbers that mean "the results cannot be written there": a full disk or quota,
#: no permission, a read-only file system, or a path through a regular file. The CLI reports
#: them as one line (exit code 2) instead of a traceback.
WRITE_ERRNOS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EEXIST,
        errno.ELOOP,
        errno.ENAMETOOLONG,
    }
)


def write_error_line(err: OSError) -> str:
    """One line for an ``OSError`` in :data:`WRITE_ERRNOS`: the path and what went wrong."""
    where = err.filename or "results"
    return (
        f"{where}: cannot write: {err.strerror or err}; free space, fix permissions or "
        "choose another --out"
    )


class UserError(Exception):
    """A mistake in user input, reported as one line.

    Args:
        message: What is wrong and what is allowed, in one line.
        source: The file (or ``"--set"``/``"command line"``) the bad input came from.
        key: The dotted key or column name at fault, if any.
    """

    def __init__(self, message: str, *, source: str | None = None, key: str | None = None):
        self.message = message
        self.source = source
        self.key = key
        super().__init__(self.line())

    def line(self) -> str:
        """The message as printed by the CLI: ``file: key: message``."""
        parts = [p for p in (self.source, self.key) if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class ScenarioError(UserError):
    """A scenario or experiment file is malformed, names an unknown key, or has a bad value."""


class DataError(UserError):
    """A county data file (CSV, GeoJSON, plan mapping) is missing, malformed or inconsistent."""


class PlanError(UserError):
    """A merger plan violates its constraints (e.g. a plan file omits or repeats a village)."""
