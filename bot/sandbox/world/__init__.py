"""The sandbox's Telegram: users, private chats, messages, files, updates and the event log.

Everything runs on one asyncio loop and every mutation is synchronous, so no locks are needed.
Lookups are dictionary based (chat -> message id -> message); reading "what happened after X"
bisects a per-chat event list, and waiting is done with futures woken by the next event, so the
cost of a request does not grow with the history.
"""

from bot.sandbox.world.actions import image_size
from bot.sandbox.world.core import SandboxWorld
from bot.sandbox.world.limits import FLOOD_METHODS, Fault, FloodConfig, TokenBucket
from bot.sandbox.world.records import (
    DEFAULT_ALLOWED,
    DEFAULT_TOKEN,
    FIRST_USER_ID,
    ORGANIZER_POOL,
    ApiError,
    CallbackRecord,
    ChatRecord,
    FileRecord,
    Json,
    StoredMessage,
    UserRecord,
    bad_request,
)

__all__ = [
    "DEFAULT_ALLOWED",
    "DEFAULT_TOKEN",
    "FIRST_USER_ID",
    "FLOOD_METHODS",
    "ORGANIZER_POOL",
    "ApiError",
    "CallbackRecord",
    "ChatRecord",
    "Fault",
    "FileRecord",
    "FloodConfig",
    "Json",
    "SandboxWorld",
    "StoredMessage",
    "TokenBucket",
    "UserRecord",
    "bad_request",
    "image_size",
]
