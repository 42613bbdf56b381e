"""Two look-ups that walked whole tables: a case's pending timers, a consumer's chats

- ix_timers_complaint_state. Cancelling a case's pending timers (every submission re-plans
  them, every final state cancels them) said ``complaint_id = ? AND state = ?``. SQLite's
  planner, with one equality on the unique (complaint_id, kind, due_at) index and one on
  (state, due_at), took the second and visited every pending timer of every open case:
  155 ms per submission with 100,000 open cases, 0.13 ms with this index.
- ix_identities_consumer_id. A notice to a consumer (every staff reply, acceptance,
  proposal) goes to each of their chats, found by ``consumer_id``: without an index, a
  scan of every identity on every notice.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_timers_complaint_state", "timers", ["complaint_id", "state"])
    op.create_index("ix_identities_consumer_id", "identities", ["consumer_id"])


def downgrade() -> None:
    op.drop_index("ix_identities_consumer_id", table_name="identities")
    op.drop_index("ix_timers_complaint_state", table_name="timers")
