"""The code's shape, measured so that it cannot drift back (issue 11's "done means").

Handlers stay thin: no function in ``handlers/`` over 60 lines (the ``def`` line to the last
line, as ``ast`` counts them). Type-ignore comments stay rare and explained: at most 10 in the
tree, each naming its error code and giving its reason on the same line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HANDLER_LIMIT = 60  # lines per function in handlers/
IGNORE_LIMIT = 10  # ignore comments in the whole tree
SKIPPED = {".venv", "test-output", ".git", "node_modules", "build", "dist"}
# The comment, then its error code(s) in brackets, then "  # the reason" (a few words at least).
EXPLAINED = re.compile(r"#\s*type:\s*ignore\[[a-z-]+(,\s*[a-z-]+)*\]\s+#\s*\S.{8,}")
IGNORE = re.compile(r"#\s*type:\s*ignore")


def python_files() -> list[Path]:
    """Every .py file of the project, without virtualenvs and generated output."""
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not SKIPPED.intersection(path.relative_to(ROOT).parts)
    ]


def function_lengths(path: Path) -> list[tuple[str, int]]:
    """(name, lines) of every function and method in ``path``, nested ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        (node.name, (node.end_lineno or node.lineno) - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def test_no_function_in_handlers_is_over_60_lines() -> None:
    handlers = sorted((ROOT / "handlers").glob("**/*.py"))
    assert handlers, "handlers/ not found"
    too_long = [
        f"{path.relative_to(ROOT)}:{name} has {length} lines"
        for path in handlers
        for name, length in function_lengths(path)
        if length > HANDLER_LIMIT
    ]
    assert too_long == []


def ignores() -> list[tuple[str, str]]:
    """(where, line) of every type-ignore comment in the tree."""
    found = []
    for path in python_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if IGNORE.search(line):
                found.append((f"{path.relative_to(ROOT)}:{number}", line.strip()))
    return found


def test_type_ignores_are_few() -> None:
    found = ignores()
    assert len(found) <= IGNORE_LIMIT, "\n".join(where for where, _ in found)


def test_every_type_ignore_names_its_code_and_reason() -> None:
    unexplained = [f"{where}: {line}" for where, line in ignores() if not EXPLAINED.search(line)]
    assert unexplained == []


def test_the_checks_see_what_they_measure() -> None:
    """The patterns match what they must (a check that cannot fail checks nothing)."""
    mark = "# type" + ": ignore"  # spelled apart so that this file holds none
    assert EXPLAINED.search(f"x = f()  {mark}[misc]  # PTB marks it final")
    assert not EXPLAINED.search(f"x = f()  {mark}[misc]")
    assert not EXPLAINED.search(f"x = f()  {mark}  # no code given")
    assert IGNORE.search(f"x = f()  {mark}")
    assert not any(where.startswith("tests/unit/test_code_shape") for where, _ in ignores())
    assert any(name == "python_files" for name, _ in function_lengths(Path(__file__)))
    assert Path(__file__) in python_files()
