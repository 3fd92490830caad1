"""Who may do what: roles per product, as pure rules.

docs/permissions.md shows this table; tests/web/test_permission_matrix.py checks every
route against every role.
"""

from __future__ import annotations

from enum import StrEnum

from jalon.errors import N_


class Role(StrEnum):
    OWNER = "owner"  # the Product Owner
    MEMBER = "member"  # the team
    STAKEHOLDER = "stakeholder"  # reads and comments
    VIEWER = "viewer"  # reads


class Action(StrEnum):
    READ = "read"
    COMMENT = "comment"
    CONTRIBUTE = "contribute"
    EDIT_PRODUCT = "edit_product"
    CHANGE_STAGE = "change_stage"
    MANAGE_MEMBERS = "manage_members"


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.MEMBER: frozenset({Action.READ, Action.COMMENT, Action.CONTRIBUTE}),
    Role.STAKEHOLDER: frozenset({Action.READ, Action.COMMENT}),
    Role.VIEWER: frozenset({Action.READ}),
}

ROLE_LABELS = {
    Role.OWNER: N_("Product Owner"),
    Role.MEMBER: N_("Team member"),
    Role.STAKEHOLDER: N_("Stakeholder"),
    Role.VIEWER: N_("Viewer"),
}


def can(role: Role | None, action: Action, *, is_admin: bool = False) -> bool:
    """Administrators may do everything; others what their role on the product allows."""
    if is_admin:
        return True
    return role is not None and action in ALLOWED[role]


class Actor:
    """Who is acting: a signed-in user, an API token's user, or the command line."""

    __slots__ = ("id", "is_admin", "label")

    def __init__(self, id: int | None, label: str, *, is_admin: bool = False) -> None:
        self.id = id
        self.label = label
        self.is_admin = is_admin

    def __repr__(self) -> str:
        return f"Actor({self.id!r}, {self.label!r}, is_admin={self.is_admin})"


CLI_ACTOR = Actor(None, "command line", is_admin=True)
