"""Prometheus metrics of one running bot, in its own registry (no module-level state).

Counted as they happen: updates by kind, handler latency, errors, 429s on replies. Read from
the database at scrape time (bot/services/status.py): outbox rows per state, users registered
and active today, the sender's 429s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    from bot.services.status import Status

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Seconds: a reply within 50 ms is the norm, seconds mean trouble.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The bot's metrics; ``render(status)`` is the /metrics body."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter("forum_updates", "Updates received, by kind", ["kind"], registry=r)
        self.latency = Histogram(
            "forum_handler_seconds",
            "Time to handle one update, by handler",
            ["handler"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.errors = Counter("forum_errors", "Updates that ended in the error handler", registry=r)
        self.reply_429 = Counter(
            "forum_reply_rate_limited", "429 answers from Telegram to replies", registry=r
        )
        self.outbox = Gauge("forum_outbox_messages", "Outbox rows by state", ["state"], registry=r)
        self.outbox_429 = Gauge(
            "forum_outbox_rate_limited",
            "429 answers to the outbox sender since it started",
            registry=r,
        )
        self.users = Gauge("forum_users_registered", "Users who have talked to the bot", registry=r)
        self.active = Gauge("forum_users_active_today", "Users seen today (forum time)", registry=r)
        self.healthy = Gauge("forum_healthy", "1 when /healthz answers 200", registry=r)
        self.since_update = Gauge(
            "forum_seconds_since_last_update", "Seconds since the last update arrived", registry=r
        )

    def observe(self, kind: str, handler: str, seconds: float) -> None:
        """One handled update."""
        self.updates.labels(kind).inc()
        self.latency.labels(handler).observe(seconds)

    def render(self, status: Status) -> bytes:
        """The Prometheus text format, with the scrape-time figures of ``status``."""
        for state, count in status.outbox.items():
            self.outbox.labels(state).set(count)
        self.outbox_429.set(status.rate_limited)
        self.users.set(status.users_registered)
        self.active.set(status.users_active_today)
        self.healthy.set(1 if status.healthy else 0)
        self.since_update.set(
            -1 if status.seconds_since_update is None else status.seconds_since_update
        )
        return generate_latest(self.registry)
