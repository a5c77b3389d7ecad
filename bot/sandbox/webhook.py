"""Webhook delivery of the sandbox: updates pushed by HTTP POST, as Telegram does.

After ``setWebhook`` with a loopback URL (``http://127.0.0.1:PORT/...``; the sandbox never
sends anything off this machine) a pusher POSTs every queued update as JSON, one at a time and
in order, with the ``X-Telegram-Bot-Api-Secret-Token`` header when a secret was given. An update
leaves the queue only on a 2xx answer; otherwise it is tried again after a short pause and the
error shows in ``getWebhookInfo`` (``last_error_message``), like Telegram's. A webhook to any
other host is stored but not delivered to. ``deleteWebhook`` stops the pusher.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.sandbox.world.events import wake

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
RETRY_PAUSE = 0.2
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def is_loopback(url: str) -> bool:
    """Whether ``url`` is http(s) to this machine."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and (parts.hostname or "") in LOOPBACK_HOSTS


class WebhookPusher:
    """Delivers a world's updates to its webhook until stopped."""

    def __init__(self, world: Any, url: str, secret: str | None) -> None:
        self.world = world
        self.url = url
        self.secret = secret
        self.delivered = 0
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        """Run in the current event loop."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sandbox-webhook")

    async def stop(self) -> None:
        """Stop delivering (an update being posted stays queued unless it was accepted)."""
        self._stopping = True
        wake(self.world._update_waiters)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not self._stopping and not self.world.closing:
                if not self.world.updates:
                    waiter = asyncio.get_running_loop().create_future()
                    self.world._update_waiters.append(waiter)
                    await waiter
                    continue
                update_id, update = self.world.updates[0]
                error = await self._post(session, update, headers)
                if error is None:
                    if self.world.updates and self.world.updates[0][0] == update_id:
                        self.world.updates.popleft()
                    self.delivered += 1
                    continue
                self.world.webhook["last_error_date"] = int(self.world.time())
                self.world.webhook["last_error_message"] = error
                await asyncio.sleep(RETRY_PAUSE)

    async def _post(
        self, session: aiohttp.ClientSession, update: Any, headers: dict[str, str]
    ) -> str | None:
        try:
            async with session.post(self.url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"Connection failed: {type(exc).__name__}"
