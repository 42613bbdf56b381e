"""Table definitions (SQLAlchemy Core). Migrations in ``storage/migrations`` create them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# The ODR registry: enterprises enrolled in the green channel.
enterprises = Table(
    "enterprises",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("aliases", JSON, nullable=False, default=list),
    Column("uscc", String(18), nullable=True),
    Column("district", String(100), nullable=False, default=""),
    Column("address", String(300), nullable=False, default=""),
    Column("categories", JSON, nullable=False, default=list),
    Column("enrolled", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

consumers = Table(
    "consumers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=True),
    Column("phone", String(32), nullable=True),
    Column("address", String(300), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

# A person's account on one channel (WeChat OpenID, Telegram user id, web session).
identities = Table(
    "identities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("consumer_id", Integer, ForeignKey("consumers.id"), nullable=True),
    Column("language", String(8), nullable=True),
    Column("reachable", Boolean, nullable=False, default=True),
    Column("last_inbound_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("channel", "external_id"),
    Index("ix_identities_consumer_id", "consumer_id"),  # a consumer's chats (notices)
)

complaints = Table(
    "complaints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("consumer_id", Integer, ForeignKey("consumers.id"), nullable=False),
    Column("enterprise_id", String(64), ForeignKey("enterprises.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("merchant", String(200), nullable=False),
    Column("merchant_address", String(300), nullable=False),
    Column("product", String(200), nullable=False),
    Column("purchase_date", Date, nullable=True),
    Column("amount", Float, nullable=True),
    Column("channel", String(16), nullable=False),
    Column("facts", Text, nullable=False),
    Column("demands", JSON, nullable=False),
    Column("consumer_name", String(100), nullable=False),
    Column("consumer_phone", String(32), nullable=False),
    Column("consumer_address", String(300), nullable=False),
    Column("category", String(8), nullable=False),
    Column("nature", String(32), nullable=False),
    Column("order_no", String(64), nullable=True),
    Column("prepaid", Boolean, nullable=False, default=False),
    Column("source_channel", String(16), nullable=False),
    Column("consent_at", UtcDateTime(), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("deadline", Date, nullable=False),
    Column("accept_deadline", Date, nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("proposed_at", UtcDateTime(), nullable=True),
    Column("extended_days", Integer, nullable=False, default=0),
    Column("accepted_at", UtcDateTime(), nullable=True),
    Column("first_response_at", UtcDateTime(), nullable=True),
    Column("resolved_at", UtcDateTime(), nullable=True),
    Column("resolved_on_time", Boolean, nullable=True),
    Column("settled_at", UtcDateTime(), nullable=True),
    Column("proposal", Text, nullable=True),
    Column("outcome", Text, nullable=True),
    Column("rating", Integer, nullable=True),
    Index("ix_complaints_consumer", "consumer_id", "id"),
    Index("ix_complaints_enterprise_status", "enterprise_id", "status"),
    Index("ix_complaints_status_deadline", "status", "deadline"),
    # Covering index for the regulator's aggregates (PostgreSQL index-only scans).
    Index("ix_complaints_submitted", "submitted_at",
          postgresql_include=["enterprise_id", "status", "category", "nature", "channel",
                              "deadline", "resolved_on_time", "settled_at", "rating"]),
)

# The audit trail (协商过程): every transition with actor and time.
complaint_events = Table(
    "complaint_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("complaint_id", Integer, ForeignKey("complaints.id"), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=False),
    Column("actor", String(16), nullable=False),
    Column("actor_ref", String(128), nullable=True),
    Column("detail", JSON, nullable=True),
    Column("at", UtcDateTime(), nullable=False),
)

# The negotiation thread of a case.
case_messages = Table(
    "case_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("complaint_id", Integer, ForeignKey("complaints.id"), nullable=False),
    Column("sender_role", String(16), nullable=False),
    Column("sender_channel", String(16), nullable=False),
    Column("kind", String(12), nullable=False, default="message"),
    Column("text", Text, nullable=False),
    Column("media_path", String(300), nullable=True),
    Column("at", UtcDateTime(), nullable=False),
    Index("ix_case_messages_complaint", "complaint_id", "id"),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("complaint_id", Integer, ForeignKey("complaints.id"), nullable=False, index=True),
    Column("path", String(300), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)

# Conversation state, saved in the same transaction as the turn (DESIGN §3).
conversations = Table(
    "conversations",
    metadata,
    Column("key", String(160), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# Dedupe keys of inbound deliveries, with the replies they produced (a platform retry
# gets the same answer, never a second effect).
inbound_receipts = Table(
    "inbound_receipts",
    metadata,
    Column("channel", String(16), primary_key=True),
    Column("message_id", String(160), primary_key=True),
    Column("replies", JSON, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)

# Every message we send is a row here first, committed with the turn that produced it.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(128), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(8), nullable=False),  # pending | sent | dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("lease_until", UtcDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    Index("ix_outbox_status_next", "status", "next_attempt_at"),
    Index("ix_outbox_recipient", "channel", "recipient", "id"),
    # A recipient's pending rows, whatever their history (migration 0007). Statements that
    # should use it say status = 'pending' as a literal (storage.messaging.PENDING): a
    # bound parameter does not match a partial index's condition.
    Index("ix_outbox_pending", "channel", "recipient", "id",
          sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
)

# Daily sequence for reference numbers.
# PostgreSQL: the number part of references (migration 0006); SQLite uses ref_counters.
complaint_reference_seq = Sequence("complaint_reference_seq", metadata=metadata)

ref_counters = Table(
    "ref_counters",
    metadata,
    Column("day", String(8), primary_key=True),
    Column("last", Integer, nullable=False),
)

# Small shared values (e.g. the platform access token all workers read).
kv = Table(
    "kv",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires_at", UtcDateTime(), nullable=True),
)

# --- the enterprise side (issue 6) -------------------------------------------------------

# A member of an enterprise's customer-service staff.
staff = Table(
    "staff",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("enterprise_id", String(64), ForeignKey("enterprises.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False, default=""),
    Column("role", String(8), nullable=False),  # agent | admin
    Column("active", Boolean, nullable=False, default=True),
    Column("password_hash", String(200), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

# A chat identity bound to a staff member (one person may bind several channels).
staff_bindings = Table(
    "staff_bindings",
    metadata,
    Column("identity_id", Integer, ForeignKey("identities.id"), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False, index=True),
    Column("bound_at", UtcDateTime(), nullable=False),
)

# One-time codes: a chat binding code and a web-inbox login link, stored as hashes.
staff_invites = Table(
    "staff_invites",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("kind", String(8), nullable=False),  # bind | login
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

# Web inbox sessions (cookie value stored as a hash) with their CSRF token.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)

# Failed inbox sign-ins, one row each, so every worker counts the same ones (issue 6).
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client", String(160), nullable=False),
    Column("failed_at", UtcDateTime(), nullable=False),
    Index("ix_login_failures_client", "client", "failed_at"),
    Index("ix_login_failures_failed_at", "failed_at"),
)

# API keys of enterprise systems, hashed at rest.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("enterprise_id", String(64), ForeignKey("enterprises.id"), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("label", String(100), nullable=False, default=""),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

# Outgoing webhook of an enterprise (signed with its secret).
webhooks = Table(
    "webhooks",
    metadata,
    Column("enterprise_id", String(64), ForeignKey("enterprises.id"), primary_key=True),
    Column("url", String(500), nullable=False),
    Column("secret", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)


# The ODR clock: every deadline and reminder of a case is a row, fired once (issue 7).
timers = Table(
    "timers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("complaint_id", Integer, ForeignKey("complaints.id"), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("state", String(10), nullable=False),  # pending | fired | cancelled
    Column("fired_at", UtcDateTime(), nullable=True),
    Column("note", String(200), nullable=True),
    UniqueConstraint("complaint_id", "kind", "due_at"),
    Index("ix_timers_state_due", "state", "due_at"),
    Index("ix_timers_complaint_state", "complaint_id", "state"),
)

# --- the regulator's side (issue 7) ------------------------------------------------------

# Operators of the platform / the regulator: they see statistics, never personal data.
operators = Table(
    "operators",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# One-time login links and sessions of operators (token hashes only).
operator_tokens = Table(
    "operator_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("operator_id", Integer, ForeignKey("operators.id"), nullable=False),
    Column("kind", String(8), nullable=False),  # login | session
    Column("csrf", String(64), nullable=True),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
)


# The days on which an enterprise's staff acted (活跃度 without scanning the event log).
enterprise_activity = Table(
    "enterprise_activity",
    metadata,
    Column("enterprise_id", String(64), ForeignKey("enterprises.id"), primary_key=True),
    Column("day", Date, primary_key=True),
)


# --- rollups of the regulator's figures (issue 7, storage/rollups.py) --------------------
# Rows per period of submission, China time: grain "d" (a day), "t" (a 旬: days 1-10,
# 11-20, 21-end of month) and "m" (a month); a period of days is covered by whole months,
# then whole 旬, then days, so a page reads a few thousand rows instead of every complaint.


def _rollup(name: str, keys: list[Column[Any]], *measures: str,
            extra: tuple[Column[Any], ...] = ()) -> Table:
    return Table(name, metadata, Column("grain", String(1), primary_key=True),
                 Column("start", Date, primary_key=True), *keys, *extra,
                 *(Column(m, Integer, nullable=False) for m in measures))


rollup_districts = _rollup(
    "rollup_districts", [Column("district", String(100), primary_key=True)],
    "complaints", "due_resolved", "on_time", "unresolved", "with_outcome", "settled", "rated",
    "rating_sum")
rollup_enterprises = _rollup(
    "rollup_enterprises", [Column("enterprise_id", String(64), primary_key=True)],
    "complaints", "due_resolved", "on_time", "unresolved",
    extra=(Column("district", String(100), nullable=False),))
# Counts by category, nature and channel.
rollup_counts = _rollup(
    "rollup_counts", [Column("district", String(100), primary_key=True),
                      Column("dimension", String(16), primary_key=True),
                      Column("value", String(64), primary_key=True)], "n")
# Histograms of minutes to first response and to resolution, in bins of at most 1/32 of
# the value (exact below 64 minutes), for the medians.
rollup_spans = _rollup(
    "rollup_spans", [Column("district", String(100), primary_key=True),
                     Column("measure", String(16), primary_key=True),
                     Column("minutes", Integer, primary_key=True)], "n")
# What each complaint last added to the rollups (storage/rollups.py): a refresh subtracts
# it and adds the complaint's new share, so it touches only the rows a change moves.
rollup_seen = Table(
    "rollup_seen",
    metadata,
    Column("complaint_id", Integer, primary_key=True, autoincrement=False),
    Column("day", Date, nullable=False),
    Column("enterprise_id", String(64), nullable=False),
    Column("district", String(100), nullable=False),
    Column("category", String(8), nullable=False),
    Column("nature", String(32), nullable=False),
    Column("channel", String(16), nullable=False),
    *(Column(m, Integer, nullable=False) for m in (
        "due_resolved", "on_time", "unresolved", "with_outcome", "settled", "rated",
        "rating_sum")),
    Column("first_bin", Integer, nullable=True),
    Column("resolution_bin", Integer, nullable=True),
)
# Complaints changed since their day was last rolled up: appended in the transaction of
# the change, consumed by the refresh (never updated, so writers never wait on each other).
rollup_dirty = Table(
    "rollup_dirty",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("complaint_id", Integer, nullable=False),
)
