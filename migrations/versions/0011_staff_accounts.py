"""staff accounts: a temporary password must be changed, demo accounts are marked, and usernames are unique
whatever their case

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEMO_USERNAMES = ("tara", "nina", "hugo", "priya", "ada")
"""The demo data's accounts (server/demo.py), marked where the database holds the demo's patients."""


def upgrade() -> None:
    with op.batch_alter_table("care_user") as table:
        table.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        table.add_column(sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Sign-in has always lowered the typed username, so an account stored otherwise could never sign in.
    op.execute("UPDATE care_user SET username = lower(username) WHERE username <> lower(username)")
    users = sa.table("care_user", sa.column("username", sa.String), sa.column("demo", sa.Boolean))
    patients = sa.table("patient", sa.column("mrn", sa.String))
    demo_data = sa.exists().where(patients.c.mrn.like("DEMO-%"))
    op.execute(users.update().where(users.c.username.in_(DEMO_USERNAMES), demo_data).values(demo=sa.true()))
    op.create_index("uq_care_user_username_lower", "care_user", [sa.text("lower(username)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_care_user_username_lower", table_name="care_user")
    with op.batch_alter_table("care_user") as table:
        table.drop_column("demo")
        table.drop_column("must_change_password")
