"""tablet presence

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 03:57:24.316314
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tablet_presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("socket_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("connected_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["care_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tablet_presence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tablet_presence_socket_id"), ["socket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tablet_presence_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tablet_presence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tablet_presence_unit_id"))
        batch_op.drop_index(batch_op.f("ix_tablet_presence_socket_id"))

    op.drop_table("tablet_presence")
