"""offline charting: each score keeps the tablet's own time of the tap beside the server's receipt time,
and a tablet_step receipt table (client id unique) makes every other session step sent by a tablet apply once

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tablet_recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.create_table(
        "tablet_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("body_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("tablet_recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("tablet_sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("applied_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["massage_session.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["care_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id"),
    )
    with op.batch_alter_table("tablet_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tablet_step_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tablet_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tablet_step_session_id"))
    op.drop_table("tablet_step")
    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.drop_column("tablet_recorded_at")
