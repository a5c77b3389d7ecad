"""Domain errors that become a translated answer to the user."""

from __future__ import annotations

from bot.i18n import N_


class ForumError(Exception):
    """An expected failure with a message for the user (a msgid, translated when shown)."""

    message: str = N_("Something went wrong. Please try again.")

    def __init__(self, message: str | None = None, **params: object) -> None:
        super().__init__(message or self.message)
        if message is not None:
            self.message = message
        self.params = params


class StaleButton(ForumError):
    """A button whose data no longer means anything (old, forged or from a reload)."""

    message = N_("This button has expired. Please open the menu again.")
