"""One aiohttp server on WEB_HOST:WEB_PORT that every web feature adds its routes to.

    web = WebServer("127.0.0.1", 8081)
    web.add_routes([aiohttp.web.get("/hall/{session}", hall_screen)])   # before start()
    web.add_subapp("/screen", screen_app)
    await web.start()                # port 0 picks a free port; ``web.port`` is the real one

Features register their routes in ``bot/app.py`` while the application is built; the server
starts in ``post_init`` (polling and webhook mode alike) and stops in ``post_shutdown``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)


class WebServer:
    """Routes collected before ``start()``; one listening socket."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8081) -> None:
        self.host = host
        self.port = port
        self.app = web.Application(client_max_size=4 * 1024 * 1024)
        self._runner: web.AppRunner | None = None

    def add_routes(self, routes: Iterable[web.AbstractRouteDef]) -> None:
        """Add routes (``aiohttp.web.get(path, handler)``, ...); only before ``start()``."""
        self._check_not_started()
        self.app.add_routes(list(routes))

    def add_subapp(self, prefix: str, subapp: web.Application) -> None:
        """Mount a whole aiohttp application under ``prefix`` (e.g. ``/screen``)."""
        self._check_not_started()
        self.app.add_subapp(prefix, subapp)

    def __setitem__(self, key: web.AppKey[Any], value: Any) -> None:
        """Shared state for handlers: ``request.app[KEY]``."""
        self.app[key] = value

    @property
    def running(self) -> bool:
        """Whether the server is listening."""
        return self._runner is not None

    @property
    def url(self) -> str:
        """``http://host:port`` of the listening socket (local address, not PUBLIC_URL)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        """Bind and serve; ``port`` holds the real port afterwards (also for port 0)."""
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        await site.start()
        self._runner = runner
        sockets = getattr(site._server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        log.info("web server listening on %s", self.url)

    async def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _check_not_started(self) -> None:
        if self._runner is not None:
            raise RuntimeError("routes must be added before the web server starts")
