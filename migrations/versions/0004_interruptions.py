"""interruptions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 03:48:25.304560
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interruption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("raised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("acknowledged_by_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("acknowledged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"],
            ["care_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["massage_session.id"],
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["care_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("interruption", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interruption_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interruption_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interruption_therapist_id"), ["therapist_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interruption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interruption_therapist_id"))
        batch_op.drop_index(batch_op.f("ix_interruption_session_id"))
        batch_op.drop_index(batch_op.f("ix_interruption_patient_id"))

    op.drop_table("interruption")
