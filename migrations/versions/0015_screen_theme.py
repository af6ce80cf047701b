"""screen theme: each person's choice of day, night or automatic (by the hospital's night hours)

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


THEMES = "theme IN ('day', 'night', 'auto')"


def upgrade() -> None:
    # Not a batch on SQLite: its batch copy of care_user would drop the expression index on lower(username),
    # which it cannot reflect. SQLite takes a CHECK inside ADD COLUMN; PostgreSQL adds it as a constraint.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE care_user ADD COLUMN theme VARCHAR(10) NOT NULL DEFAULT 'auto' "
            f"CONSTRAINT ck_care_user_theme CHECK ({THEMES})"
        )
        return
    op.add_column("care_user", sa.Column("theme", sa.String(10), nullable=False, server_default="auto"))
    op.create_check_constraint("ck_care_user_theme", "care_user", THEMES)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("ck_care_user_theme", "care_user", type_="check")
    op.drop_column("care_user", "theme")
