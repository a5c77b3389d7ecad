"""``/healthz`` (JSON, 200 or 503) and ``/metrics`` (Prometheus text) of the running bot."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

from bot.metrics import CONTENT_TYPE
from bot.services.status import snapshot

if TYPE_CHECKING:
    from bot.context import Services

# () -> (updates are arriving, "polling" or "webhook")
Receiving = Callable[[], tuple[bool, str]]


def routes(services: Services, receiving: Receiving) -> list[web.RouteDef]:
    """The two routes, bound to ``services``."""

    async def healthz(request: web.Request) -> web.Response:
        ok, mode = receiving()
        status = await snapshot(services, receiving=ok, mode=mode)
        return web.Response(
            text=json.dumps(status.to_json()),
            status=200 if status.healthy else 503,
            content_type="application/json",
            headers={"Cache-Control": "no-store"},
        )

    async def metrics(request: web.Request) -> web.Response:
        ok, mode = receiving()
        status = await snapshot(services, receiving=ok, mode=mode)
        body = services.metrics.render(status)
        response = web.Response(body=body, headers={"Cache-Control": "no-store"})
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    return [web.get("/healthz", healthz), web.get("/metrics", metrics)]
