"""The main menu: a reply keyboard whose buttons run a feature in the user's language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from telegram import ReplyKeyboardMarkup, Update
from telegram.ext import filters

from bot.context import ForumContext
from bot.i18n import I18n, Translator
from handlers.keyboards import reply_menu

MenuCallback = Callable[[Update, ForumContext], Awaitable[object]]

# Labels that were shortened to fit a phone (old label -> msgid). A reply keyboard stays on a
# person's phone until the bot sends a new one, so the old buttons must keep working.
LEGACY_LABELS: dict[str, str] = {
    "⭐ Менің күн тәртібім": "⭐ My agenda",
    "🔒 Персональные данные": "🔒 Privacy",
}


@dataclass(frozen=True, slots=True)
class MenuItem:
    """A menu button: a msgid for its label and what it runs."""

    label: str
    callback: MenuCallback
    organizer: bool = False


class Menu:
    """The menu's items, their labels in every language, and the dispatcher."""

    def __init__(self, items: Iterable[MenuItem], i18n: I18n) -> None:
        self.items = list(items)
        self._by_label: dict[str, MenuItem] = {}
        self._keyboards: dict[tuple[str, bool], ReplyKeyboardMarkup] = {}
        for item in self.items:
            for tr in i18n.all().values():
                self._by_label[tr._(item.label)] = item
        by_msgid = {item.label: item for item in self.items}
        for old, msgid in LEGACY_LABELS.items():
            if msgid in by_msgid:
                self._by_label.setdefault(old, by_msgid[msgid])

    def keyboard(self, tr: Translator, organizer: bool = False) -> ReplyKeyboardMarkup:
        """The menu in ``tr``'s language (built once per language and role, then kept)."""
        key = (tr.language, organizer)
        built = self._keyboards.get(key)
        if built is None:
            built = self._keyboards[key] = reply_menu(
                [tr._(item.label) for item in self.items if organizer or not item.organizer]
            )
        return built

    def filter(self) -> filters.BaseFilter:
        """Matches a message whose text is a menu label in any language."""
        return filters.Text(list(self._by_label))

    async def dispatch(self, update: Update, context: ForumContext) -> None:
        """Run the item whose label the user pressed."""
        message = update.effective_message
        item = self.item_for(message.text or "") if message else None
        if item is not None:
            await item.callback(update, context)

    def item_for(self, text: str) -> MenuItem | None:
        """The item whose label (in any language, or an older label) is ``text``."""
        return self._by_label.get(text)
