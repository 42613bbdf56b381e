"""telegram: sent messages mapped to cases

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telegram_sent",
        sa.Column("chat_id", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("case_ref", sa.String(length=20), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name=op.f("pk_telegram_sent")),
    )
    op.create_index("ix_telegram_sent_case_ref", "telegram_sent", ["case_ref"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_telegram_sent_case_ref", table_name="telegram_sent")
    op.drop_table("telegram_sent")
