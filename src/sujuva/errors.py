"""One error hierarchy for the whole product.

Every error a user can cause is a :class:`SujuvaError`; the faces (CLI, API, web) map the
classes below to exit codes, one JSON error shape and error pages. Anything else that escapes
is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class SujuvaError(Exception):
    """Base class of every error caused by input, configuration or state (never a bug)."""

    exit_code: int = 1
    kind: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        """The one JSON error shape: ``{"error": {"kind", "message", "details"}}``."""
        return {"error": {"kind": self.kind, "message": self.message, "details": self.details()}}

    def details(self) -> list[dict[str, object]]:
        """Machine-readable details; empty unless a subclass has some."""
        return []


class ConfigError(SujuvaError):
    """Settings or options that cannot work (unknown time zone, bad key file...)."""

    exit_code = 2
    kind = "config"


class UsageError(SujuvaError):
    """A request that is malformed regardless of the data (unknown format, bad option value)."""

    exit_code = 2
    kind = "usage"


class NotFoundError(SujuvaError):
    """A file, path, pilot or other named thing that does not exist."""

    exit_code = 3
    kind = "not_found"


@dataclass(frozen=True)
class Problem:
    """One rejected input row or one fatal input problem, located for a human.

    ``location`` is e.g. ``"line 12"`` (CSV), ``"row 12"`` (Parquet) or ``"trace 3 (case 'A7'),
    event 2"`` (XES); ``column`` names the column or attribute, or is empty when the problem is the
    whole row or file.
    """

    file: str
    location: str
    column: str
    reason: str
    value: str = ""

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.file, self.location) if part)
        col = f", column '{self.column}'" if self.column else ""
        val = f" (value {self.value!r})" if self.value else ""
        return f"{where}{col}: {self.reason}{val}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "location": self.location,
            "column": self.column,
            "reason": self.reason,
            "value": self.value,
        }


@dataclass
class InputError(SujuvaError):
    """Input that cannot be imported: an unreadable file, or rows rejected in all-or-nothing mode.

    ``problems`` lists every located problem (possibly truncated; ``total`` counts them all).
    """

    message: str
    problems: list[Problem] = field(default_factory=list)
    total: int = 0

    exit_code = 4
    kind = "input"

    def __post_init__(self) -> None:
        super().__init__(self.message)
        if not self.total:
            self.total = len(self.problems)

    def __str__(self) -> str:
        return self.message

    def details(self) -> list[dict[str, object]]:
        return [problem.as_dict() for problem in self.problems]


class StoreError(SujuvaError):
    """The store is missing, locked by another writer, or from an incompatible version."""

    exit_code = 5
    kind = "store"


class AuthenticationError(SujuvaError):
    """Wrong or missing credentials: unknown user, bad password, bad or revoked token."""

    exit_code = 7
    kind = "unauthenticated"


class PermissionDeniedError(SujuvaError):
    """The user is known but their role or organisation does not allow this."""

    exit_code = 8
    kind = "forbidden"


class RateLimitedError(SujuvaError):
    """Too many failed logins for this user or address; try again later."""

    exit_code = 9
    kind = "rate_limited"


class ConflictError(SujuvaError):
    """The thing to create exists already (a user name, an organisation code)."""

    exit_code = 10
    kind = "conflict"
