"""public portal: ideas, votes, comments, moderation

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 07:20:00
"""

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # slot for the portal area (issue 5)


def downgrade() -> None:
    pass
