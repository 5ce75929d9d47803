"""Who is asking: the signed-in user as every service sees them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Role = Literal["coordinator", "analyst", "viewer", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
Language = Literal["fi", "en", "sv"]
LANGUAGES: tuple[str, ...] = get_args(Language)


@dataclass(frozen=True, kw_only=True)
class Principal:
    """A signed-in user.

    ``organisation`` is the organisation's code, which is the actor name in the event data
    (None for coordinators and admins who belong to no member organisation).
    """

    user_id: int
    username: str
    role: Role
    organisation: str | None
    language: Language = "fi"
