"""the unlock PIN's wrong tries are counted on the account, so parallel guesses cannot slip past the count

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN, not a batch: SQLite's batch copy of the table would drop the expression index
    # on lower(username), which it cannot reflect. The count only moves by guarded UPDATEs (one up while
    # below 5, or back to 0), so it needs no CHECK to stay in range.
    op.add_column("care_user", sa.Column("pin_failures", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("care_user", "pin_failures")
