"""feedback inbox: intake tokens, imports and what the feedback area needs

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 07:20:00
"""

from collections.abc import Sequence

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # slot for the feedback area (issue 5)


def downgrade() -> None:
    pass
