"""A local Telegram Bot API for the bot: e2e tests, load tests, demos and rehearsals.

``SandboxWorld`` is the state (users, chats, updates), ``SandboxServer`` serves it over HTTP
(Bot API under ``/bot<TOKEN>/``, files, the control API under ``/sandbox/api/`` and the web chat
at ``/``), and ``bot.sandbox.harness`` gives tests a person's view of a chat.
"""

from bot.sandbox.server import SandboxServer
from bot.sandbox.world import DEFAULT_TOKEN, ORGANIZER_POOL, ApiError, Fault, SandboxWorld

__all__ = ["DEFAULT_TOKEN", "ORGANIZER_POOL", "ApiError", "Fault", "SandboxServer", "SandboxWorld"]
