"""Wires the web server into the application: its routes, and starting and stopping with it.

Features add their routes in ``bot/app.py`` with ``services.web.add_routes(...)`` (or
``add_subapp``) while the application is built; the server starts at the end of ``post_init``,
once the database is open and the delivery engine runs, and stops first in ``post_shutdown``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.web import health
from bot.web.webhook import Webhook

if TYPE_CHECKING:
    from bot.context import Services


def install(application: Any, services: Services) -> None:
    """Health and metrics routes; start the server after every other start-up hook."""

    def receiving() -> tuple[bool, str]:
        webhook = services.webhook
        if webhook is not None:
            return bool(webhook.active), "webhook"
        updater = application.updater
        return updater is not None and updater.running, "polling"

    services.receiving = receiving  # /status asks the same question
    services.web.add_routes(health.routes(services, receiving))
    if services.settings.webhook_url:
        webhook = Webhook(application, services, services.settings.webhook_url)
        services.web.add_routes(webhook.routes())
        services.webhook = webhook

    async def start(application: Any, services: Services) -> None:
        await services.web.start()

    services.startup_hooks.append(start)
