"""clinical session record

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 03:29:52.371748
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "amendment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column(
            "author_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False, server_default=""
        ),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=""),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["care_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["massage_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_amendment_session_id"), ["session_id"], unique=False)

    with op.batch_alter_table("massage_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("screening", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(
            sa.Column("screening_precautions", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("screened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "consent_by", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "consent_surrogate_name",
                sqlmodel.sql.sqltypes.AutoString(length=120),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("consent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("paused_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("running_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "pressure_reason",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("region_reasons", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(
            sa.Column(
                "response", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "soap_subjective",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "soap_objective",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "soap_assessment",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "soap_plan", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False, server_default=""
            )
        )

    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.add_column(sa.Column("items", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.drop_column("items")

    with op.batch_alter_table("massage_session", schema=None) as batch_op:
        batch_op.drop_column("soap_plan")
        batch_op.drop_column("soap_assessment")
        batch_op.drop_column("soap_objective")
        batch_op.drop_column("soap_subjective")
        batch_op.drop_column("response")
        batch_op.drop_column("region_reasons")
        batch_op.drop_column("pressure_reason")
        batch_op.drop_column("paused_at")
        batch_op.drop_column("running_since")
        batch_op.drop_column("consent_at")
        batch_op.drop_column("consent_surrogate_name")
        batch_op.drop_column("consent_by")
        batch_op.drop_column("screened_at")
        batch_op.drop_column("screening_precautions")
        batch_op.drop_column("screening")

    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_amendment_session_id"))

    op.drop_table("amendment")
