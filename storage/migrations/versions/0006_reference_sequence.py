"""complaint_reference_seq: the number part of complaint references on PostgreSQL

A daily counter row (ref_counters) is locked from the moment a complaint takes its number
until its turn commits, so on PostgreSQL every submission waited for the one before it
(seen under load: most connections queued on that row). A sequence hands out numbers
without a lock; SQLite, with one writer at a time, keeps the daily counter.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE IF NOT EXISTS complaint_reference_seq")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS complaint_reference_seq")
