"""rollup_seen: what each complaint last added to the rollups, so a refresh applies the
difference instead of recomputing whole days (issue 7)

The rollups are emptied and every complaint is marked changed: the next refreshes (the
background refresher of ``serve``, or ``odrbot stats``) build them again from the
complaints, in batches.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollup_seen",
        sa.Column("complaint_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=8), nullable=False),
        sa.Column("nature", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        *(sa.Column(m, sa.Integer(), nullable=False) for m in (
            "due_resolved", "on_time", "unresolved", "with_outcome", "settled", "rated",
            "rating_sum")),
        sa.Column("first_bin", sa.Integer(), nullable=True),
        sa.Column("resolution_bin", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_rollup_seen")),
    )
    for name in ("rollup_dirty", "rollup_spans", "rollup_counts", "rollup_enterprises",
                 "rollup_districts"):
        op.execute(f"DELETE FROM {name}")
    op.execute("INSERT INTO rollup_dirty (complaint_id) SELECT id FROM complaints")


def downgrade() -> None:
    op.drop_table("rollup_seen")  # the rollups themselves stay right for 0004's refresh
