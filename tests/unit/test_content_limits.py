"""Content files cannot exhaust the bot or probe the server (security review, findings 5 and 6).

A YAML alias bomb is refused quickly and within a memory budget (checked in a child process
under ``RLIMIT_AS``, so a regression fails the test instead of the machine); values quoted in
errors are shortened; a speaker's photo must be a file inside the content folder, and no error
names a path on the server.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.content import ContentError, load_content, parse_content
from bot.i18n import I18n

FIXTURES = Path(__file__).parent / "fixtures" / "content"
MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
ROOT = Path(__file__).resolve().parents[2]


def alias_bomb(levels: int = 10, width: int = 10, padding: int = 40_000) -> str:
    """The review's shape: a list of lists, each level ten aliases of the one below (10^10),
    used where a wrong value is quoted back in the error (a session's ``kind``)."""
    lines = [f"# {'x' * 76}" for _ in range(padding // 80)]  # a 40 KB file, as reviewed
    lines.append("bomb:")
    lines.append(f"  - &l0 [{', '.join(['lol'] * width)}]")
    for level in range(1, levels):
        lines.append(f"  - &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    used = MINIMAL.replace("    kind: panel", f"    kind: *l{levels - 1}", 1)
    return "\n".join(lines) + "\n" + used


CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    sys.path.insert(0, sys.argv[1])
    from bot.content import ContentError, parse_content

    def vm_bytes():
        for line in open("/proc/self/status"):
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmSize")

    data = sys.stdin.buffer.read()
    try:  # warm up: imports and schemas are not the file's cost
        parse_content("forum: {}")
    except ContentError:
        pass
    budget = vm_bytes() + 50 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (budget, resource.getrlimit(resource.RLIMIT_AS)[1]))
    started = time.process_time()
    try:
        parse_content(data)
        outcome, errors = "accepted", []
    except ContentError as exc:
        outcome, errors = "rejected", exc.errors
    except MemoryError:
        outcome, errors = "out of memory", []
    print(json.dumps({"outcome": outcome, "cpu": time.process_time() - started,
                      "errors": errors}))
    """
)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_alias_bomb_is_rejected_fast_within_50_mb() -> None:
    bomb = alias_bomb().encode()
    assert 35_000 < len(bomb) < 50_000
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT)],
        input=bomb,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    result = json.loads(done.stdout)
    assert result["outcome"] == "rejected", result["outcome"]
    assert result["cpu"] < 1.0  # processor time of this one parse, not the wall clock
    [(path, message)] = result["errors"]
    assert path == "(file)"
    assert "aliases" in message
    assert len(message) < 300


def test_anchors_and_aliases_of_ordinary_size_still_work() -> None:
    text = MINIMAL.replace(
        "    room: Hall\n    kind: plenary", "    room: &hall Hall\n    kind: plenary"
    )
    text = text.replace("    room: Hall\n    kind: panel", "    room: *hall\n    kind: panel")
    forum = parse_content(text)
    assert forum.session("panel").room == forum.session("opening").room


def test_values_quoted_in_errors_are_shortened() -> None:
    long_id = "x" * 100_000
    with pytest.raises(ContentError) as caught:
        parse_content(MINIMAL.replace("  - id: opening", f"  - id: {long_id}"))
    text = str(caught.value)
    assert "is not a valid id" in text
    assert len(text) < 500, len(text)
    with pytest.raises(ContentError) as caught:
        parse_content(MINIMAL.replace("    kind: panel", f"    kind: {'y' * 100_000}"))
    assert len(str(caught.value)) < 500


def with_photo(folder: Path, photo: str) -> Path:
    path = folder / "forum.yaml"
    path.write_text(
        MINIMAL.replace("    bio: Chairs the sessions.", f"    bio: Chairs.\n    photo: {photo}"),
        encoding="utf-8",
    )
    return path


def photo_error(path: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_content(path)
    [(where, message)] = caught.value.errors
    assert where == "speakers[1].photo"
    return message


def test_photo_outside_the_content_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    folder.mkdir()
    secret = tmp_path / "outside-secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    message = photo_error(with_photo(folder, "../outside-secret.png"))
    assert message == "'../outside-secret.png' must be a file in the content folder"
    # Whether the file exists or not, the answer is the same: no oracle for files outside.
    assert photo_error(with_photo(folder, "../../../etc/shadow")) == (
        "'../../../etc/shadow' must be a file in the content folder"
    )


def test_photo_errors_never_name_a_server_path(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "bob.gif").write_bytes(b"GIF89a")
    for photo in ("photos/missing.png", "photos/bob.gif"):
        message = photo_error(with_photo(folder, photo))
        assert str(tmp_path) not in message
        assert photo in message


def test_errors_in_the_readers_language() -> None:
    text = MINIMAL.replace("    track: main", "    track: nope")
    with pytest.raises(ContentError) as caught:
        parse_content(text)
    i18n = I18n(load_content(FIXTURES / "minimal.yaml").forum.tz, "ru")
    [(path, english)] = caught.value.errors
    assert english == (
        "unknown track 'nope': a session's track must be the id of one of the tracks listed "
        "under tracks: (known ids: main)"
    )
    [(_, russian)] = caught.value.localized(i18n.get("ru"))
    assert russian == (
        "неизвестное направление 'nope': в поле track сессии должен стоять идентификатор одного "
        "из направлений, перечисленных в разделе tracks: (известные идентификаторы: main)"
    )
    [(_, kazakh)] = caught.value.localized(i18n.get("kk"))
    assert "'nope'" in kazakh
    assert "tracks:" in kazakh
    assert "main" in kazakh
    assert path == "sessions[1].track"
