"""The sandbox HTTP server: Bot API, files, control API and web chat on one loopback port."""

from __future__ import annotations

import logging
from types import TracebackType

from aiohttp import web

from bot.sandbox import botapi, control
from bot.sandbox.botapi import WORLD_KEY
from bot.sandbox.world import SandboxWorld

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_UPLOAD = 50 * 1024 * 1024


def build_app(world: SandboxWorld) -> web.Application:
    """The aiohttp application serving ``world``."""
    app = web.Application(client_max_size=MAX_UPLOAD, middlewares=[control.guard])
    app[WORLD_KEY] = world

    async def on_shutdown(app: web.Application) -> None:
        world.close()  # long polls answer now instead of holding the shutdown

    app.on_shutdown.append(on_shutdown)
    botapi.add_routes(app)
    control.add_routes(app)
    return app


class SandboxServer:
    """Runs the sandbox on ``host:port`` (port 0 picks a free one).

    ``api_base_url`` and ``file_base_url`` are what the bot's TELEGRAM_API_BASE_URL and
    TELEGRAM_FILE_BASE_URL must be.
    """

    def __init__(
        self, world: SandboxWorld | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        if host not in LOOPBACK:
            raise ValueError("the sandbox listens on the loopback interface only")
        self.world = world or SandboxWorld()
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        """The Bot API base URL (PTB's ``base_url``; the token follows it)."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        """The file download base URL (PTB's ``base_file_url``)."""
        return f"{self.url}/file/bot"

    async def start(self) -> SandboxServer:
        """Bind and serve; ``port`` holds the real port afterwards."""
        self.world.closing = False
        runner = web.AppRunner(
            build_app(self.world),
            handler_cancellation=True,
            access_log=None,
            shutdown_timeout=2.0,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        await site.start()
        self._runner = runner
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        logging.getLogger(__name__).info("sandbox listening on %s", self.url)
        return self

    async def stop(self) -> None:
        """Stop serving (pending long polls are answered first)."""
        self.world.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
