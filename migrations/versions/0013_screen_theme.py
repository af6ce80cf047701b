"""screen theme: each person's choice of day, night or automatic (by the hospital's night hours)

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("care_user") as table:
        table.add_column(sa.Column("theme", sa.String(length=10), nullable=False, server_default="auto"))
        table.create_check_constraint("ck_care_user_theme", "theme IN ('day', 'night', 'auto')")


def downgrade() -> None:
    with op.batch_alter_table("care_user") as table:
        table.drop_constraint("ck_care_user_theme", type_="check")
        table.drop_column("theme")
