"""Revisions requested: the authors edit the fields the organizers named, one message each,
look at the result and resubmit; the old version is kept and the proposal goes back to its
reviewers (told through the outbox in the same transaction).

Callback data ``rs:<action>:<proposal>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.errors import StaleButton
from bot.i18n import Translator
from bot.services import proposals as svc
from bot.services.board_views import BoardFlowBase, Outcome, Screen, button, keyboard
from bot.services.reviewing import notify_new_round
from storage.proposals import Proposal
from storage.reviews import Revision

if TYPE_CHECKING:
    from bot.context import Services

FEATURE = "rs"
# The fields authors may be asked to revise, with their limits (as in the /propose dialog).
FIELDS: dict[str, tuple[int, int]] = {
    "title": (3, svc.TITLE_MAX),
    "summary": (10, svc.SUMMARY_MAX),
    "support": (2, svc.SUPPORT_MAX),
}


def field_names(tr: Translator, fields: tuple[str, ...]) -> str:
    """ "Title, Summary" in ``tr``'s language."""
    return ", ".join(tr._(svc.FIELD_LABELS[f]) for f in fields)


class RevisionFlow(BoardFlowBase):
    """The authors' side of a revision round; only the proposal's own submitter may act."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.repo = services.repos.reviews

    async def _mine(self, user_id: int, raw: str) -> tuple[Proposal, Revision] | None:
        if not raw.isdigit() or len(raw) > 10:
            return None
        p = await self.services.repos.proposals.get(int(raw))
        if p is None or p.user_id != user_id:
            return None
        revision = await self.repo.revision(p.id)
        if revision is None or revision.state != "requested":
            return None
        return p, revision

    def _ask(self, tr: Translator, p: Proposal, revision: Revision) -> Screen:
        name = revision.awaiting or ""
        current = revision.edits.get(name) or getattr(p, name)
        return Screen(
            tr._("Send the new text for: {field}").format(field=tr._(svc.FIELD_LABELS[name]))
            + "\n\n"
            + tr._("Now:")
            + "\n"
            + str(current)[:3000]
        )

    def _review(self, tr: Translator, p: Proposal, revision: Revision) -> Screen:
        lines = [tr._("Your revised proposal {reference}:").format(reference=p.reference), ""]
        for name in revision.fields:
            value = revision.edits.get(name, getattr(p, name))
            lines.append(f"{tr._(svc.FIELD_LABELS[name])}:\n{value}")
        rows = [
            [button(FEATURE, tr._("📨 Resubmit"), "ok", p.id)],
            [button(FEATURE, tr._("✏️ Edit again"), "e", p.id)],
        ]
        return Screen("\n".join(lines)[:4000], keyboard(rows))

    async def press(
        self, tr: Translator, user_id: int, action: str, args: tuple[str, ...]
    ) -> Outcome:
        """``rs:e:<id>`` edit the named fields; ``rs:ok:<id>`` resubmit."""
        found = await self._mine(user_id, args[0]) if len(args) == 1 else None
        if found is None:
            raise StaleButton()
        p, revision = found
        if action == "e":
            revision.awaiting = revision.fields[0] if revision.fields else None
            if revision.awaiting is None:
                return Outcome.of(send=[self._review(tr, p, revision)])
            await self.repo.save_revision(revision)
            return Outcome.of(send=[self._ask(tr, p, revision)])
        if action == "ok":
            old = {name: getattr(p, name) for name in revision.fields}
            async with self.services.db.transaction():
                round_, reviewers = await self.repo.resubmit(revision, old, self.now)
                updated = await self.services.repos.proposals.get(p.id)
                assert updated is not None
                await notify_new_round(self.services, updated, reviewers, round_)
            return Outcome.of(
                tr._(
                    "Thank you! {reference} is resubmitted (version {n}) and goes back to its "
                    "reviewers."
                ).format(reference=p.reference, n=round_),
                edit=Screen(
                    tr._("{reference} resubmitted (version {n}).").format(
                        reference=p.reference, n=round_
                    )
                ),
            )
        raise StaleButton()

    async def text(self, tr: Translator, user_id: int, text: str | None) -> Outcome | None:
        """The new text of the awaited field; None when no field is awaited from this person."""
        mine = [p.id for p in await self.services.repos.proposals.of_user(user_id)]
        revision = await self.repo.awaiting_revision(mine)
        if revision is None or revision.awaiting is None:
            return None
        p = await self.services.repos.proposals.get(revision.proposal_id)
        assert p is not None
        name = revision.awaiting
        low, high = FIELDS[name]
        try:
            value = svc.parse_text(text, high, minimum=low)
        except svc.InvalidAnswer as error:
            return Outcome.of(tr._(error.message).format(**error.params))
        revision.edits[name] = value
        following = revision.fields.index(name) + 1
        revision.awaiting = revision.fields[following] if following < len(revision.fields) else None
        await self.repo.save_revision(revision)
        if revision.awaiting is not None:
            return Outcome.of(send=[self._ask(tr, p, revision)])
        return Outcome.of(send=[self._review(tr, p, revision)])
