"""An aiohttp transport for python-telegram-bot's Bot API requests.

PTB's default transport is httpx. Profiling the bot under load (benchmarks/README.md) put about
60 % of the process's CPU inside httpx/httpcore, which scans its whole connection pool on every
request. aiohttp, already a dependency for the sandbox, does the same job with a fraction of the
overhead, so the Application sends and polls through this class. Same contract as PTB's
``HTTPXRequest``: (status, body) back, ``TimedOut``/``NetworkError`` on failure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.logs import without_urls


class AiohttpRequest(BaseRequest):
    """Bot API requests over one aiohttp session with a bounded connection pool."""

    __slots__ = (
        "_connect_timeout",
        "_on_rate_limited",
        "_pool_size",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 64,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        on_rate_limited: Callable[[], None] | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        # Called on every 429 answer (counted in /metrics; PTB's rate limiter retries it).
        self._on_rate_limited = on_rate_limited
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (idempotent)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session (idempotent)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; see :meth:`telegram.request.BaseRequest.do_request`."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = None if isinstance(pool_timeout, DefaultValue) else pool_timeout
        write = self._write_timeout if isinstance(write_timeout, DefaultValue) else write_timeout
        # aiohttp has no separate write timeout: a slow upload counts against the total.
        total = None
        if read is not None:
            total = read + (write or 0) + (connect or 0)
        timeout = aiohttp.ClientTimeout(
            total=total, connect=pool, sock_connect=connect, sock_read=read
        )
        try:
            data, headers = _body(request_data)
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                if response.status == 429 and self._on_rate_limited is not None:
                    self._on_rate_limited()
                return response.status, await response.read()
        # Raised without the cause (``from None``) and without any URL in the text: aiohttp's
        # messages quote the request URL, which holds the bot token.
        except (TimeoutError, aiohttp.ServerTimeoutError):
            raise TimedOut from None
        except aiohttp.ClientError as err:
            text = without_urls(f"aiohttp.{err.__class__.__name__}: {err}")
            raise NetworkError(text) from None


# Without files, the parameters go as one JSON body: a single json.dumps of the nested values,
# where a form would JSON-encode each nested value, then percent-encode it (urllib) inside an
# aiohttp FormData (which draws a random multipart boundary even for a plain form). The Bot
# API takes either; profiled under the update benchmark the form was about 8 % of the bot's CPU.
_JSON = {"Content-Type": "application/json"}


def _body(request_data: RequestData | None) -> tuple[Any, dict[str, str] | None]:
    """The request body and its headers: JSON, or a multipart form when files are attached."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return json.dumps(request_data.parameters, ensure_ascii=False).encode(), _JSON
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        filename, content, mimetype = part[0], part[1], part[2] if len(part) > 2 else None
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None
