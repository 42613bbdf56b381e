"""Prometheus metrics, one registry per application (tests build many applications)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


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
            "odrbot_outbound_total", "Outbound send attempts by channel and result",
            ["channel", "result"], registry=self.registry,
        )
