"""rescheduled sessions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 04:46:29.238841
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("massage_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reschedule_reason",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("rescheduled_for", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("massage_session", schema=None) as batch_op:
        batch_op.drop_column("rescheduled_for")
        batch_op.drop_column("reschedule_reason")
