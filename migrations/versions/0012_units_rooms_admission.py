"""units and rooms, admission and discharge: a room table (names unique per unit, filled from the rooms
patients already lie in), and when each patient was admitted and discharged

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "room",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "name", name="uq_room_unit_name"),
    )
    with op.batch_alter_table("room", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_room_unit_id"), ["unit_id"], unique=False)
    # Patients keep their room as its name: every room a patient already lies in becomes a room of the unit.
    op.execute(
        sa.text(
            "INSERT INTO room (unit_id, name, active) SELECT DISTINCT unit_id, room, :active FROM patient"
        ).bindparams(active=True)
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("admitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("discharged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_patient_discharged_at"), ["discharged_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_discharged_at"))
        batch_op.drop_column("discharged_at")
        batch_op.drop_column("admitted_at")
    with op.batch_alter_table("room", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_room_unit_id"))
    op.drop_table("room")
