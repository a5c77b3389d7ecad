"""Where the files shipped with the package are: catalogs and the sample forum.

In a source checkout (and an editable install) they sit at the top of the repository; a wheel maps
them into the ``bot`` package (see ``pyproject.toml``), so both places are looked at.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name_in_package: str, name_in_repo: str) -> Path:
    for candidate in (_PACKAGE / name_in_package, _PACKAGE.parent / name_in_repo):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"{name_in_repo}/ is missing from this installation")


def locales_dir() -> Path:
    """The folder holding ``<lang>/LC_MESSAGES/messages.po``."""
    return _find("locales", "locales")


def content_dir() -> Path:
    """The folder of the bundled sample forum."""
    return _find("forum_content", "content")


def sample_content_path() -> Path:
    """The bundled sample forum's YAML file."""
    return content_dir() / "forum.yaml"
