"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 02:29:15.376695
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "care_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("pin_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("care_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_user_username"), ["username"], unique=True)

    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("last_event_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mrn", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("given_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("family_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("bed", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("comfort_care", sa.Boolean(), nullable=False),
        sa.Column("non_verbal", sa.Boolean(), nullable=False),
        sa.Column("allergies", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("isolation", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("fall_risk", sa.Boolean(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("pain_scale", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patient_mrn"), ["mrn"], unique=True)
        batch_op.create_index(batch_op.f("ix_patient_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "user_unit",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["care_user.id"],
        ),
        sa.PrimaryKeyConstraint("user_id", "unit_id"),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["care_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "availability_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("set_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.Column("cleared_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cleared_by_id"],
            ["care_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"],
            ["care_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("availability_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_availability_flag_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "massage_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("ordering_clinician_id", sa.Integer(), nullable=True),
        sa.Column("ordering_clinician_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("indication", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("allowed_techniques", sa.JSON(), nullable=False),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("max_pressure", sa.Integer(), nullable=False),
        sa.Column("platelet_threshold", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ordering_clinician_id"],
            ["care_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("massage_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_massage_order_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "unit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_event_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "massage_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("massage_ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("completed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("active_seconds", sa.Integer(), nullable=False),
        sa.Column("stop_reason", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("techniques", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("pressure_used", sa.Integer(), nullable=True),
        sa.Column("position", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("signed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["massage_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"],
            ["care_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["care_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("massage_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_massage_session_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "site_restriction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("side", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["massage_order.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("site_restriction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_restriction_order_id"), ["order_id"], unique=False)

    op.create_table(
        "score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("phase", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("measure", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("scale", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("not_obtainable_reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["care_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["massage_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_score_client_id"), ["client_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_score_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_score_session_id"), ["session_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_session_id"))
        batch_op.drop_index(batch_op.f("ix_score_patient_id"))
        batch_op.drop_index(batch_op.f("ix_score_client_id"))

    op.drop_table("score")
    with op.batch_alter_table("site_restriction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_restriction_order_id"))

    op.drop_table("site_restriction")
    with op.batch_alter_table("massage_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_massage_session_patient_id"))

    op.drop_table("massage_session")
    with op.batch_alter_table("unit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_event_unit_id"))

    op.drop_table("unit_event")
    with op.batch_alter_table("massage_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_massage_order_patient_id"))

    op.drop_table("massage_order")
    with op.batch_alter_table("availability_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availability_flag_patient_id"))

    op.drop_table("availability_flag")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_patient_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    op.drop_table("user_unit")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_unit_id"))
        batch_op.drop_index(batch_op.f("ix_patient_mrn"))

    op.drop_table("patient")
    op.drop_table("unit")
    with op.batch_alter_table("care_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_user_username"))

    op.drop_table("care_user")
