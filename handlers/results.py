"""/results for organizers: surveys and session ratings, as text, charts and files."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.content import Survey
from bot.context import ForumContext
from bot.services import results
from bot.services.qr import deep_link, qr_png
from bot.services.surveys import status
from handlers import callbacks
from handlers.access import organizer_only
from handlers.updates import chat_id_of, message_of
from storage.surveys import ExportRow

FEATURE = "res"

__all__ = ["FEATURE", "on_button", "show_results"]


@organizer_only
async def show_results(update: Update, context: ForumContext) -> None:
    """The surveys and the rated sessions with their response counts."""
    tr, forum = context.tr, context.content
    counts = await context.repos.surveys.counts()
    ratings = await context.repos.ratings.summaries()
    lines = [tr._("Results. Choose a survey:"), ""]
    buttons = []
    now = context.clock.now()
    states = {
        "open": tr._("open"),
        "not_yet": tr._("not open yet"),
        "closed": tr._("closed"),
    }
    for survey in forum.surveys:
        total, complete = counts.get(survey.id, (0, 0))
        lines.append(
            "📝 {title} ({state}): {responses}, {complete}".format(
                title=survey.title.get(tr.language),
                state=states[status(forum, survey, now)],
                responses=tr.ngettext("{n} response", "{n} responses", total).format(n=total),
                complete=tr.ngettext("{n} complete", "{n} complete", complete).format(n=complete),
            )
        )
        buttons.append(
            [
                InlineKeyboardButton(
                    f"📊 {survey.title.get(tr.language)}",
                    callback_data=callbacks.make(FEATURE, "s", survey.id),
                )
            ]
        )
    rated = sum(r.count for r in ratings)
    lines.append(
        "⭐ "
        + tr.ngettext("Session ratings: {n} rating", "Session ratings: {n} ratings", rated).format(
            n=rated
        )
        + ", "
        + tr.ngettext("{n} session", "{n} sessions", len(ratings)).format(n=len(ratings))
    )
    buttons.append(
        [
            InlineKeyboardButton(
                tr._("⭐ Session ratings"), callback_data=callbacks.make(FEATURE, "r")
            )
        ]
    )
    await message_of(update).reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons)
    )


@organizer_only
async def on_button(update: Update, context: ForumContext) -> None:
    """``res:s:<survey>`` results, ``res:csv:<survey>`` the CSV, ``res:r`` ratings."""
    query = update.callback_query
    assert query is not None
    tr, forum = context.tr, context.content
    chat_id = chat_id_of(update)
    data = callbacks.parse(query.data)
    bot = context.bot
    if data is not None and data.action == "r":
        await query.answer()
        summaries = await context.repos.ratings.summaries()
        for chunk in results.split_message(results.ratings_text(tr, forum, summaries)):
            await bot.send_message(chat_id, chunk)
        if summaries:
            everything = await context.repos.ratings.all()
            await bot.send_document(
                chat_id,
                InputFile(
                    results.ratings_csv(
                        tr, forum, everything, context.settings.anonymity_min_group
                    ),
                    filename="session-ratings.csv",
                ),
            )
        return
    survey = forum.survey(data.arg(0)) if data is not None else None
    if data is None or survey is None or data.action not in ("s", "csv", "qr"):
        await query.answer(tr._("This button has expired. Please open the menu again."))
        return
    await query.answer()
    if data.action == "qr":
        link = deep_link(context.bot.username, "survey", survey.id)
        await bot.send_photo(
            chat_id,
            InputFile(qr_png(link), filename=f"{survey.id}-qr.png"),
            caption=f"{survey.title.get(tr.language)}\n{link}",
        )
        return
    rows = results.final_rows(await context.repos.surveys.export(survey.id))
    if data.action == "csv":
        await bot.send_document(
            chat_id,
            InputFile(
                results.csv_bytes(tr, survey, rows, context.settings.anonymity_min_group),
                filename=f"{survey.id}-answers.csv",
            ),
        )
        return
    for chunk in results.split_message(results.summary_text(tr, survey, rows)):
        await bot.send_message(chat_id, chunk)
    if rows:
        await _send_files(context, chat_id, survey, rows)
    await bot.send_message(
        chat_id,
        tr._("The raw answers as CSV, and the survey's QR code for the screen in the hall:"),
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        tr._("⬇️ CSV"), callback_data=callbacks.make(FEATURE, "csv", survey.id)
                    ),
                    InlineKeyboardButton(
                        tr._("🔳 QR code"), callback_data=callbacks.make(FEATURE, "qr", survey.id)
                    ),
                ]
            ]
        ),
    )


async def _send_files(
    context: ForumContext, chat_id: int, survey: Survey, rows: list[ExportRow]
) -> None:
    """Charts as photos, the stakeholder breakdown, the XLSX and the free-text file."""
    tr, bot = context.tr, context.bot
    # Drawing and the workbook take a moment: off the event loop, so others are not held up.
    charts = await asyncio.to_thread(results.charts, tr, survey, rows)
    min_group = context.settings.anonymity_min_group
    workbook = await asyncio.to_thread(results.xlsx_bytes, tr, survey, rows, min_group)
    for question, png in charts:
        caption = question.text.get(tr.language)
        await bot.send_photo(
            chat_id,
            InputFile(png, filename=f"{survey.id}-{question.id}.png"),
            caption=caption[:1000],
        )
    await bot.send_message(chat_id, results.breakdown_text(tr, survey, rows, min_group)[:4000])
    await bot.send_document(
        chat_id,
        InputFile(workbook, filename=f"{survey.id}-results.xlsx"),
    )
    texts = results.free_text(tr, survey, rows)
    if texts:
        await bot.send_document(
            chat_id,
            InputFile(texts.encode("utf-8"), filename=f"{survey.id}-free-text.txt"),
        )
