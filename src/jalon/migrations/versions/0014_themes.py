"""themes and duplicates

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 07:20:00
"""

from collections.abc import Sequence

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # slot for the themes area (issue 5)


def downgrade() -> None:
    pass
