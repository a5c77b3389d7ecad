"""Hostile and odd input, property-based: the bot answers every update, never crashes, and never
shows a user a stack trace. Random content files fail with ContentError and nothing else.

Hypothesis runs in a worker thread; each example is a coroutine run on the test's event loop,
where the in-process bot lives (hypothesis has no native asyncio support).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content import ContentError, load_content
from bot.resources import sample_content_path
from bot.sandbox.world import ApiError
from tests.reliability.conftest import assert_no_traceback

EXAMPLES = 40
EXPLORE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)

ODD_TEXTS = [
    "x" * 4096,
    "ب" * 4000,
    "مرحبا بكم في المنتدى",  # RTL
    "\u202eevil\u202c text",
    "🇰🇿🇷🇺👩‍👩‍👧‍👦" * 50,
    "\x00\x01\x02\x1b[31mred",
    "line\r\nline\rline",
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    "%s %d {0} {name} {{}}",
    "<b>bold</b> <script>alert(1)</script>",
    "/",
    "/start " + "x" * 500,
    "/start session_" + "9" * 60,
    "/start survey_../../etc/passwd",
    "/help@some_other_bot",
    "/" + "a" * 64,
    "/results",
    " ",
]

texts = st.one_of(
    st.sampled_from(ODD_TEXTS),
    st.text(min_size=1, max_size=300),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=50).map(lambda t: "/" + t),
    st.text(min_size=1, max_size=30).map(lambda t: "/start " + t),
)

PREFIXES = ["onb", "lang", "del", "ag", "sp", "my", "sv", "rate", "res", "pr", "prv", "bc", "rem"]
callback_data = st.one_of(
    st.text(min_size=0, max_size=64).filter(lambda d: len(d.encode()) <= 64),
    st.builds(
        lambda p, a, rest: ":".join([p, a, *rest])[:64],
        st.sampled_from(PREFIXES),
        st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=8),
        st.lists(
            st.one_of(st.integers(-(10**12), 10**12).map(str), st.text(max_size=10)), max_size=4
        ),
    ),
)


async def _explore(body: Any, strategy: st.SearchStrategy[Any]) -> None:
    loop = asyncio.get_running_loop()

    @EXPLORE
    @given(strategy)
    def check(value: Any) -> None:
        asyncio.run_coroutine_threadsafe(body(value), loop).result(60)

    await asyncio.to_thread(check)


async def test_random_texts_are_answered(bot_app, make_user, error_log):
    async def body(text: str) -> None:
        user = make_user(lang="en")  # a new user each time: the flood guard stays out of it
        try:
            await user.send(text)
        except ApiError:
            return  # Telegram itself would not deliver it (empty, too long)
        reply = await user.expect(timeout=20)
        assert_no_traceback(reply.text)

    for text in ODD_TEXTS:  # every known-odd text once, then random ones
        await body(text)
    await _explore(body, texts)
    assert not error_log.records, [r.getMessage() for r in error_log.records]


async def test_random_and_forged_buttons_are_answered(bot_app, make_user, error_log):
    async def body(data: str) -> None:
        user = make_user(lang="ru")
        await user.command("/help")
        message = await user.expect()
        await user.press_data(message, data)
        answer = await user.expect_answer(timeout=20)
        assert_no_traceback(str(answer.get("text") or ""))

    await _explore(body, callback_data)
    assert not error_log.records, [r.getMessage() for r in error_log.records]


# ---------------------------------------------------------------------------- content files
SAMPLE = yaml.safe_load(sample_content_path().read_text(encoding="utf-8"))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.dates(),
    st.datetimes(),
)
json_like = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=15,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


SAMPLE_PATHS = [p for p in _paths(SAMPLE) if p]


@st.composite
def mutated_sample(draw: st.DrawFn) -> Any:
    """The sample forum with a few values replaced or removed at random places."""
    import copy

    data = copy.deepcopy(SAMPLE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(SAMPLE_PATHS))
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()):
                parent[path[-1]] = draw(json_like)
            else:
                del parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
    return data


content_documents = st.one_of(
    mutated_sample().map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    json_like.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.text(max_size=300),
    st.sampled_from(["", ":", "- - -", "{a: [", "!!python/object:os.system ls", "\x00", "a: *x"]),
)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=content_documents)
def test_random_content_files_fail_only_with_content_error(tmp_path: Path, document: str) -> None:
    path = tmp_path / "forum.yaml"
    path.write_text(document, encoding="utf-8")
    (tmp_path / "photos").mkdir(exist_ok=True)
    with contextlib.suppress(ContentError):  # anything else fails the test
        load_content(path)


def test_undecodable_content_file_is_a_content_error(tmp_path: Path) -> None:
    path = tmp_path / "forum.yaml"
    path.write_bytes(b"\xff\xfe\x00forum: \x80\x81")
    with pytest.raises(ContentError):
        load_content(path)
