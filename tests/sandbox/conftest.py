"""Fixtures for the sandbox protocol tests: a server and a plain HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.sandbox import SandboxServer, SandboxWorld
from bot.sandbox.world import UserRecord


class FakeTime:
    """A monotonic clock that moves only when told (for the flood limiter)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Api:
    """Calls the sandbox's Bot API and control API like any HTTP client would."""

    def __init__(self, server: SandboxServer, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session
        self.base = f"{server.api_base_url}{server.world.token}"

    async def call(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """POST JSON to a Bot API method; (status, body)."""
        async with self.session.post(f"{self.base}/{method}", json=params) as response:
            return response.status, await response.json()

    async def form(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """POST form-urlencoded (values as text, as PTB sends them)."""
        data = {k: str(v) for k, v in params.items()}
        async with self.session.post(f"{self.base}/{method}", data=data) as response:
            return response.status, await response.json()

    async def multipart(
        self, method: str, files: dict[str, tuple[str, bytes, str]], **params: Any
    ) -> tuple[int, dict[str, Any]]:
        """POST multipart/form-data with file parts."""
        form = aiohttp.FormData()
        for key, value in params.items():
            form.add_field(key, str(value))
        for key, (name, data, ctype) in files.items():
            form.add_field(key, data, filename=name, content_type=ctype)
        async with self.session.post(f"{self.base}/{method}", data=form) as response:
            return response.status, await response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        """Call and assert success; the result."""
        status, body = await self.call(method, **params)
        assert status == 200, body
        assert body["ok"], body
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        """Call and assert failure; (error_code, description)."""
        status, body = await self.call(method, **params)
        assert body["ok"] is False, body
        assert status == body["error_code"]
        return body["error_code"], body["description"]

    async def control(self, verb: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        """Call the control API."""
        url = f"{self.server.url}/sandbox/api/{path}"
        async with self.session.request(verb, url, **kwargs) as response:
            return response.status, await response.json()


@pytest.fixture
def fake_time() -> FakeTime:
    """The world's monotonic clock, moved by hand."""
    return FakeTime()


@pytest.fixture
async def server(fake_time: FakeTime) -> AsyncIterator[SandboxServer]:
    """A running sandbox on a free port."""
    async with SandboxServer(SandboxWorld(monotonic=fake_time)) as running:
        yield running


@pytest.fixture
def world(server: SandboxServer) -> SandboxWorld:
    """The server's state."""
    return server.world


@pytest.fixture
async def api(server: SandboxServer) -> AsyncIterator[Api]:
    """An HTTP client for the server."""
    async with aiohttp.ClientSession() as session:
        yield Api(server, session)


@pytest.fixture
def user(world: SandboxWorld) -> UserRecord:
    """A user with a private chat."""
    return world.add_user("Aigerim", last_name="S", username="aigerim", language_code="kk")
