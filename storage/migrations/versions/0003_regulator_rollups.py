"""regulator rollups: the dashboard's figures per day, 旬 and month (issue 7)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_DISTRICT_SUMS = ("complaints", "due_resolved", "on_time", "unresolved", "with_outcome",
                  "settled", "rated", "rating_sum")


def _rollup(name: str, keys: list[sa.Column[Any]], measures: tuple[str, ...],
            extra: tuple[sa.Column[Any], ...] = ()) -> None:
    op.create_table(
        name,
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        *keys,
        *extra,
        *(sa.Column(m, sa.Integer(), nullable=False) for m in measures),
        sa.PrimaryKeyConstraint("grain", "start", *(k.name for k in keys),
                                name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    _rollup("rollup_districts", [sa.Column("district", sa.String(length=100), nullable=False)],
            _DISTRICT_SUMS)
    _rollup("rollup_enterprises",
            [sa.Column("enterprise_id", sa.String(length=64), nullable=False)],
            ("complaints", "due_resolved", "on_time", "unresolved"),
            extra=(sa.Column("district", sa.String(length=100), nullable=False),))
    _rollup("rollup_counts", [sa.Column("district", sa.String(length=100), nullable=False),
                              sa.Column("dimension", sa.String(length=16), nullable=False),
                              sa.Column("value", sa.String(length=64), nullable=False)], ("n",))
    _rollup("rollup_spans", [sa.Column("district", sa.String(length=100), nullable=False),
                             sa.Column("measure", sa.String(length=16), nullable=False),
                             sa.Column("minutes", sa.Integer(), nullable=False)], ("n",))
    op.create_table(
        "rollup_dirty",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_dirty")),
    )
    # Every existing complaint is rolled up by the first refresh (the first dashboard page).
    op.execute("INSERT INTO rollup_dirty (complaint_id) SELECT id FROM complaints")


def downgrade() -> None:
    for name in ("rollup_dirty", "rollup_spans", "rollup_counts", "rollup_enterprises",
                 "rollup_districts"):
        op.drop_table(name)
