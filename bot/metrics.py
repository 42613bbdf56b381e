"""Prometheus metrics, one registry per application (tests build many applications)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.inbound = Counter(
            "odrbot_inbound_messages_total", "Inbound messages by channel and outcome",
            ["channel", "outcome"], registry=self.registry,
        )
        self.turn_seconds = Histogram(
            "odrbot_turn_seconds", "Time to handle one inbound message (dedupe to commit)",
            ["channel"], registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.sent = Counter(
            "odrbot_outbound_total",
            "Outbound send attempts by channel, result (ok, retry, hold, dead) and the "
            "platform's error code",
            ["channel", "result", "code"], registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "odrbot_outbox_pending", "Outbox rows waiting to be sent, by channel",
            ["channel"], registry=self.registry,
        )
        self.outbox_age = Gauge(
            "odrbot_outbox_oldest_pending_seconds", "Age of the oldest pending outbox row",
            registry=self.registry,
        )
        self.dead_letters = Gauge(
            "odrbot_outbox_dead", "Outbox rows given up on (dead letters), by channel",
            ["channel"], registry=self.registry,
        )
        self.wechat_fallbacks = Counter(
            "odrbot_wechat_deadline_fallbacks_total",
            "WeChat turns that missed the passive-reply budget (answered through the API)",
            registry=self.registry,
        )

    def record_send(self, channel: str, ok: bool, outcome: str, error: str) -> None:
        code = "" if ok else _code_of(error)
        self.sent.labels(channel, outcome, code).inc()


def _code_of(error: str) -> str:
    """The platform's numeric code at the start of an error text ("45015 window closed")."""
    token = error.split(" ", 1)[0].strip(":,")
    return token if token.isdigit() and len(token) <= 6 else "other"
