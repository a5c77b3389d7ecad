"""Webhook mode: Telegram POSTs updates to WEBHOOK_URL; the web server takes them here.

Only a request with the right ``X-Telegram-Bot-Api-Secret-Token`` header is accepted (else 403
and the update is not looked at). An accepted update is put on the Application's update queue
and answered 200 at once; the same per-user ordered processor as in polling handles it
(bot/update_processor.py), so a slow handler never holds Telegram's request.

The secret is WEBHOOK_SECRET, or one generated at the first start in webhook mode and kept in
the database. Switching back to polling needs nothing: PTB's polling start calls deleteWebhook.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


def webhook_path(url: str) -> str:
    """The path of WEBHOOK_URL the web server answers on (``/webhook`` if it has none)."""
    path = urlsplit(url).path
    return path if path and path != "/" else "/webhook"


class Webhook:
    """The endpoint and the setWebhook call of one bot."""

    def __init__(self, application: Any, services: Services, url: str) -> None:
        self.application = application
        self.services = services
        self.url = url
        self.path = webhook_path(url)
        self.secret = ""
        self.active = False
        self.rejected = 0

    def routes(self) -> list[web.RouteDef]:
        """``POST <path>``."""
        return [web.post(self.path, self.receive)]

    async def activate(self) -> None:
        """Decide the secret (given, kept, or new) and tell Telegram where to post."""
        given = self.services.settings.webhook_secret
        if given is not None:
            self.secret = given.get_secret_value()
        else:
            self.secret = await self.services.repos.ops.kept_secret(secrets.token_urlsafe(32))
        await self.application.bot.set_webhook(
            self.url,
            secret_token=self.secret,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=40,
        )
        self.active = True
        log.info("webhook set; updates arrive at %s", self.path)

    async def receive(self, request: web.Request) -> web.Response:
        """One update from Telegram: checked, queued, answered."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.rejected += 1
            log.warning("webhook: request without the right secret header refused")
            return web.Response(status=403, text="forbidden")
        if request.content_length is not None and request.content_length > MAX_UPDATE_BYTES:
            return web.Response(status=413)
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="not an update")
        if update is None:
            return web.Response(status=400, text="not an update")
        await self.application.update_queue.put(update)
        return web.Response(status=200)
