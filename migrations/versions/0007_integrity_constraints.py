"""the database guarantees the bedside rules: one open session per patient, one score per session,
phase and measure, one flag in force per patient, one live order per patient

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_SESSION = "state IN ('planned', 'screening', 'in_progress', 'paused')"
LIVE_ORDER = "status IN ('active', 'on_hold')"
IN_FORCE = "cleared_at IS NULL"


def _partial_unique(name: str, table: str, columns: list[str], where: str) -> None:
    op.create_index(
        name, table, columns, unique=True, sqlite_where=sa.text(where), postgresql_where=sa.text(where)
    )


def upgrade() -> None:
    # Flags that ran out or were replaced before this rule still count as uncleared: close each at the
    # time the next flag for the patient was set (a flag is never deleted).
    op.execute(
        """
        UPDATE availability_flag SET cleared_at = (
            SELECT MIN(later.set_at) FROM availability_flag AS later
            WHERE later.patient_id = availability_flag.patient_id AND later.id > availability_flag.id
        )
        WHERE cleared_at IS NULL AND id NOT IN (
            SELECT MAX(id) FROM availability_flag WHERE cleared_at IS NULL GROUP BY patient_id
        )
        """
    )
    op.execute(
        "UPDATE availability_flag SET cleared_at = until "
        "WHERE cleared_at IS NULL AND until IS NOT NULL AND expiry_announced_at IS NOT NULL"
    )
    _partial_unique(
        "uq_massage_session_one_open_per_patient", "massage_session", ["patient_id"], OPEN_SESSION
    )
    _partial_unique(
        "uq_availability_flag_one_active_per_patient", "availability_flag", ["patient_id"], IN_FORCE
    )
    _partial_unique("uq_massage_order_one_live_per_patient", "massage_order", ["patient_id"], LIVE_ORDER)
    with op.batch_alter_table("score") as batch_op:
        batch_op.create_unique_constraint(
            "uq_score_one_per_session_phase_measure", ["session_id", "phase", "measure"]
        )


def downgrade() -> None:
    with op.batch_alter_table("score") as batch_op:
        batch_op.drop_constraint("uq_score_one_per_session_phase_measure", type_="unique")
    op.drop_index("uq_massage_order_one_live_per_patient", table_name="massage_order")
    op.drop_index("uq_availability_flag_one_active_per_patient", table_name="availability_flag")
    op.drop_index("uq_massage_session_one_open_per_patient", table_name="massage_session")
