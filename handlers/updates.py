"""What a handler reads from an update, typed: its message, chat id and user id.

The features are registered for private chats only, so an update that reaches them has all
three; a missing one is a registration mistake and surfaces in the error handler, not as a
``None`` deep inside a feature.
"""

from __future__ import annotations

from telegram import Message, Update


class IncompleteUpdate(LookupError):
    """The update lacks what the handler was registered for."""


def message_of(update: Update) -> Message:
    """The update's message (a command, a text, or the message a pressed button is on)."""
    message = update.effective_message
    if message is None:
        raise IncompleteUpdate("the update has no message")
    return message


def chat_id_of(update: Update) -> int:
    """The id of the chat the update comes from."""
    chat = update.effective_chat
    if chat is None:
        raise IncompleteUpdate("the update has no chat")
    return chat.id


def user_id_of(update: Update) -> int:
    """The id of the person the update comes from."""
    user = update.effective_user
    if user is None:
        raise IncompleteUpdate("the update has no user")
    return user.id
