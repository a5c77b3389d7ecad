"""One INFO line and the metrics per handled update: its kind, the handler, the time taken.

    update kind=callback_query handler=agenda.on_button ms=7.3 user=3f9a0c1b2d

No text, no names, no ids: the user appears only as a keyed hash (HMAC of the id with a key
derived from the bot token), enough to follow one person's updates in a log, useless without
the token. The handler's name is learnt by wrapping every feature handler's callback once the
application is built (:func:`instrument`); the prelude (group -1) is not a handler of its own.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler

log = logging.getLogger("bot.updates")

_handled_by: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "forum_handled_by", default=None
)


def log_key(token: str) -> bytes:
    """The key of the user hash (derived, so the token itself is never the key)."""
    return hashlib.sha256(b"forum-bot log key\0" + token.encode()).digest()


def user_hash(key: bytes, user_id: int) -> str:
    """A short keyed hash of a user id."""
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()[:10]


def kind_of(update: object) -> str:
    """``message``, ``callback_query``, ``command``, ... (``other`` for non-updates)."""
    if not isinstance(update, Update):
        return "other"
    message = update.message
    if message is not None and message.text and message.text.startswith("/"):
        return "command"
    for name in Update.ALL_TYPES:
        if getattr(update, name, None) is not None:
            return str(name)
    return "other"


def _name(callback: Callable[..., Any]) -> str:
    module = getattr(callback, "__module__", "") or ""
    short = module.rsplit(".", 1)[-1]
    qualname = str(getattr(callback, "__qualname__", None) or getattr(callback, "__name__", "?"))
    if "<locals>" in qualname:  # a closure: its own name is enough
        qualname = qualname.rsplit(".", 1)[-1]
    return f"{short}.{qualname}"


# The wrappers already installed, so that instrumenting twice does not wrap a wrapper.
_instrumented: weakref.WeakSet[Callable[..., Any]] = weakref.WeakSet()


def _wrap(handler: BaseHandler[Any, Any, Any], prefix: str = "") -> None:
    if isinstance(handler, ConversationHandler):
        nested = [*handler.entry_points, *handler.fallbacks]
        for state_handlers in handler.states.values():
            nested.extend(state_handlers)
        for inner in nested:
            _wrap(inner, f"{handler.name or 'conversation'}/")
        return
    callback = handler.callback
    if callback in _instrumented:
        return
    name = prefix + _name(callback)

    async def named(update: Any, context: Any) -> Any:
        found = _handled_by.get()
        if found is not None:
            found.append(name)
        return await callback(update, context)

    _instrumented.add(named)
    handler.callback = named


def instrument(application: Any) -> None:
    """Wrap the callbacks of every handler outside group -1 so updates know their handler."""
    for group, handlers in application.handlers.items():
        if group < 0:
            continue
        for handler in handlers:
            _wrap(handler)


class UpdateTimer:
    """Around one update: ``async with`` it in ``process_update``."""

    def __init__(self, metrics: Any, key: bytes) -> None:
        self.metrics = metrics
        self.key = key

    async def run(self, update: object, process: Callable[[], Awaitable[None]]) -> None:
        """Run ``process`` and record what handled ``update`` and how long it took."""
        found: list[str] = []
        token = _handled_by.set(found)
        started = time.perf_counter()
        try:
            await process()
        finally:
            _handled_by.reset(token)
            seconds = time.perf_counter() - started
            kind = kind_of(update)
            handler = found[-1] if found else "none"
            if self.metrics is not None:
                self.metrics.observe(kind, handler, seconds)
            if log.isEnabledFor(logging.INFO):
                user = getattr(update, "effective_user", None)
                fields = {
                    "kind": kind,
                    "handler": handler,
                    "ms": round(seconds * 1000, 1),
                    "user": user_hash(self.key, user.id) if user is not None else "-",
                }
                log.info(
                    "update kind=%(kind)s handler=%(handler)s ms=%(ms).1f user=%(user)s",
                    fields,
                    extra={"fields": fields},
                )
