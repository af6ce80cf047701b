"""break the glass: a clinician's reasoned, time-limited access to one patient outside their units

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "break_glass_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("granted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["care_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("break_glass_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_break_glass_grant_granted_at"), ["granted_at"], unique=False)
        batch_op.create_index(
            "ix_break_glass_grant_user_patient", ["user_id", "patient_id", "expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("break_glass_grant", schema=None) as batch_op:
        batch_op.drop_index("ix_break_glass_grant_user_patient")
        batch_op.drop_index(batch_op.f("ix_break_glass_grant_granted_at"))
    op.drop_table("break_glass_grant")
