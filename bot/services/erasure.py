"""/deleteme as a flow: erase the person's data, then let what the bot keeps in memory follow.

What is erased and what stays without a name is storage/erasure.py's job (one transaction). Here:
the reviews the person was still to write go back to the pool first, and after the commit the
team roles in memory, the person's command menu and the reassignment of those reviews follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.services import reviewing
from bot.services.roles import Role

if TYPE_CHECKING:
    from bot.context import Services


async def erase(services: Services, user_id: int) -> bool:
    """Erase the person; False if there was nothing stored about them."""
    had_role = services.roles.role_of(user_id) not in (None, Role.OWNER)
    async with services.db.transaction():
        waiting = await services.repos.reviews.withdraw_open(user_id)
        erased = await services.repos.users.delete(user_id)
    await services.db.checkpoint()  # nothing of theirs left in the write-ahead log either
    if had_role:  # owners stay owners: they are ADMIN_IDS, by configuration
        await services.roles.forget(user_id)
    proposals = [p for i in waiting if (p := await services.repos.proposals.get(i))]
    if proposals:
        await reviewing.assign_and_notify(services, proposals)
    return erased
