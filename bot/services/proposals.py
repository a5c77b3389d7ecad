"""Proposals: the dialog's steps, answer validation (BIN, phone, e-mail, files) and rendering.

The step of a draft is derived from its answers (:func:`next_step`), so a draft alone is
enough to resume the dialog; the stored step only differs while a field is being edited.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from typing import Any

from bot.content import Forum
from bot.errors import ForumError
from bot.i18n import N_, Translator, pN_
from bot.regions import REGIONS as REGIONS  # re-exported: handlers and exports read it here
from bot.regions import region_name as region_name
from bot.sdg import SDGS, sdg_label
from storage.proposals import Proposal

# The version of the consent text; recorded with each consent.
CONSENT_VERSION = "2018-11-v1"

TITLE_MAX = 200
SUMMARY_MAX = 3000
SUPPORT_MAX = 1000
ORG_NAME_MAX = 300
PERSON_MAX = 150
REGION_MAX = 100
EMAIL_MAX = 254
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES: dict[str, tuple[str, ...]] = {
    ".pdf": ("application/pdf",),
    ".doc": ("application/msword",),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
}
# What a client may report for any file; then the extension decides.
GENERIC_MIME = ("application/octet-stream", "application/zip", "")

STEPS: tuple[str, ...] = (
    "consent",
    "org_name",
    "org_type",
    "bin",
    "region",
    "contact_person",
    "phone",
    "email",
    "topic",
    "sdgs",
    "title",
    "summary",
    "support",
    "attachment",
    "review",
)
# Fields the review screen lists, each with an "edit" button.
EDITABLE: tuple[str, ...] = STEPS[1:-1]

ORG_TYPES: dict[str, str] = {
    "association": N_("Public association"),
    "foundation": N_("Public foundation"),
    "institution": N_("Institution"),
    "initiative": N_("Initiative group without registration"),
    "other": N_("Other"),
}

FIELD_LABELS: dict[str, str] = {
    "org_name": N_("Organization"),
    "org_type": N_("Type"),
    "bin": N_("BIN"),
    "region": N_("Region"),
    "contact_person": N_("Contact person"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "topic": N_("Topic"),
    "sdgs": N_("SDGs"),
    "title": N_("Title"),
    "summary": pN_("proposal field", "Summary"),
    "support": N_("Support requested"),
    "attachment": N_("Attachment"),
}

STATUS_LABELS: dict[str, str] = {
    "submitted": pN_("proposal status", "Submitted"),
    "under_review": N_("Under review"),
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}
STATUS_ICONS: dict[str, str] = {
    "submitted": "📨",
    "under_review": "🔍",
    "accepted": "✅",
    "rejected": "❌",
    "withdrawn": "↩️",
}


class InvalidAnswer(ForumError):
    """An answer the current step cannot take; the message explains why."""


# ---------------------------------------------------------------------------- validation
def bin_check_digit(first11: str) -> int | None:
    """The 12th digit of a Kazakhstan BIN/IIN for its first 11 digits (None: no valid one).

    Weights 1..11, sum mod 11; if that is 10, weights 3..11, 1, 2; if again 10, the number
    cannot be valid.
    """
    if len(first11) != 11 or not first11.isdigit():
        raise ValueError("eleven digits expected")
    digits = [int(c) for c in first11]
    remainder = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
    if remainder == 10:
        weights = [*range(3, 12), 1, 2]
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder == 10:
            return None
    return remainder


def is_valid_bin(value: str) -> bool:
    """True for 12 digits whose last one is the right check digit."""
    if len(value) != 12 or not value.isdigit():
        return False
    check = bin_check_digit(value[:11])
    return check is not None and check == int(value[11])


def parse_bin(text: str) -> str:
    """A BIN typed with or without spaces; raises InvalidAnswer with the reason."""
    value = re.sub(r"[\s-]", "", text)
    if not value.isdigit():
        raise InvalidAnswer(N_("A BIN has digits only. Please send the 12 digits of the BIN."))
    if len(value) != 12:
        raise InvalidAnswer(
            N_("A BIN has exactly 12 digits; you sent {count}. Please check it and send it again."),
            count=len(value),
        )
    if not is_valid_bin(value):
        raise InvalidAnswer(
            N_("This BIN is not valid: its check digit does not match. Please check it for a typo.")
        )
    return value


def normalize_phone(text: str) -> str | None:
    """A Kazakhstan phone number as ``+77011234567``, or None if it is not one.

    Accepts 8 701 123 45 67, +7 (701) 123-45-67, 87011234567, 7011234567 and the like.
    Numbers of Kazakhstan start with 7 after the country code (+7 7xx ...).
    """
    stripped = text.strip()
    if not re.fullmatch(r"\+?[\d\s()\-.]+", stripped):
        return None
    digits = re.sub(r"\D", "", stripped)
    if (
        len(digits) == 11
        and digits[0] in "78"
        and not (stripped.startswith("+") and digits[0] == "8")
    ):
        national = digits[1:]
    elif len(digits) == 10 and not stripped.startswith("+"):
        national = digits
    else:
        return None
    if national[0] != "7":
        return None
    return "+7" + national


def parse_phone(text: str) -> str:
    """Like :func:`normalize_phone`, raising InvalidAnswer."""
    phone = normalize_phone(text)
    if phone is None:
        raise InvalidAnswer(
            N_(
                "This does not look like a Kazakhstan phone number. "
                "Please send it like 8 701 123 45 67 or +7 701 123 45 67."
            )
        )
    return phone


_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def parse_email(text: str) -> str:
    """A plausible e-mail address (domain lower-cased), raising InvalidAnswer."""
    value = text.strip()
    local, _, domain = value.partition("@")
    if (
        len(value) > EMAIL_MAX
        or not _EMAIL.match(value)
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
    ):
        raise InvalidAnswer(
            N_("This does not look like an e-mail address. Please send it like name@example.kz.")
        )
    return f"{local}@{domain.lower()}"


def parse_text(text: str | None, limit: int, minimum: int = 1) -> str:
    """Trimmed text within ``limit`` characters, raising InvalidAnswer."""
    value = (text or "").strip()
    if len(value) < minimum:
        raise InvalidAnswer(N_("This answer is too short. Please write a bit more."))
    if len(value) > limit:
        raise InvalidAnswer(
            N_(
                "This text is too long: {length} characters, at most {limit} are allowed. "
                "Please shorten it and send it again."
            ),
            length=len(value),
            limit=limit,
        )
    return value


def check_attachment(file_name: str | None, mime_type: str | None, size: int | None) -> None:
    """Raise InvalidAnswer unless this is a PDF, DOC or DOCX of at most 20 MB."""
    extension = ""
    if file_name and "." in file_name:
        extension = "." + file_name.rsplit(".", 1)[1].lower()
    allowed = ATTACHMENT_TYPES.get(extension)
    mime = (mime_type or "").lower()
    if allowed is None or (mime not in allowed and mime not in GENERIC_MIME):
        raise InvalidAnswer(
            N_(
                "Only PDF, DOC or DOCX files can be attached. Please send the file in one "
                "of these formats."
            )
        )
    if size is None or size > ATTACHMENT_MAX_BYTES:
        raise InvalidAnswer(
            N_("The file is larger than {limit} MB. Please send a smaller file."),
            limit=ATTACHMENT_MAX_BYTES // (1024 * 1024),
        )


# What a file's first bytes are for each kind we accept (the client's name and type can lie).
PDF_MAGIC = b"%PDF-"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # DOC (Word 97-2003)
ZIP_MAGIC = b"PK\x03\x04"  # DOCX is a zip with a word/ folder


def document_kind(data: bytes) -> str | None:
    """ "pdf", "doc" or "docx" by the file's content; None for anything else."""
    if data.startswith(PDF_MAGIC):
        return "pdf"
    if data.startswith(OLE2_MAGIC):
        return "doc"
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError):
            return None
        if any(name.startswith("word/") for name in names):
            return "docx"
    return None


def check_content(data: bytes) -> None:
    """Raise InvalidAnswer unless the bytes are a PDF, DOC or DOCX."""
    if document_kind(data) is None:
        raise InvalidAnswer(
            N_(
                "Only PDF, DOC or DOCX files can be attached. Please send the file in one "
                "of these formats."
            )
        )


# ---------------------------------------------------------------------------- steps
def next_step(data: Mapping[str, Any]) -> str:
    """The first step whose answer the draft does not have yet ("review" when complete).

    Optional answers count as given once asked: a skipped phone, e-mail or attachment is
    stored as None.
    """
    if not data.get("consent_version"):
        return "consent"
    for name in ("org_name", "org_type"):
        if not data.get(name):
            return name
    if data.get("org_type") != "initiative" and not data.get("bin"):
        return "bin"
    for name in ("region", "contact_person"):
        if not data.get(name):
            return name
    if "phone" not in data:
        return "phone"
    if "email" not in data or not (data.get("phone") or data.get("email")):
        return "email"
    for name in ("topic", "sdgs", "title", "summary", "support"):
        if not data.get(name):
            return name
    if "attachment" not in data:
        return "attachment"
    return "review"


def set_org_type(data: dict[str, Any], org_type: str) -> None:
    """Record the type; initiative groups have no BIN."""
    if org_type not in ORG_TYPES:
        raise InvalidAnswer(N_("Please choose one of the buttons."))
    data["org_type"] = org_type
    if org_type == "initiative":
        data["bin"] = None


def toggle_sdg(data: dict[str, Any], number: int) -> list[int]:
    """Add or remove one goal from the draft's selection (kept in a separate key until done)."""
    if number not in SDGS:
        raise InvalidAnswer(N_("Please choose one of the buttons."))
    chosen = set(data.get("sdgs_selecting", data.get("sdgs") or []))
    chosen ^= {number}
    selection = sorted(chosen)
    data["sdgs_selecting"] = selection
    return selection


def finish_sdgs(data: dict[str, Any]) -> None:
    """Confirm the selection; at least one goal is needed."""
    chosen = data.get("sdgs_selecting", data.get("sdgs") or [])
    if not chosen:
        raise InvalidAnswer(N_('Please choose at least one goal, then press "Done".'))
    data["sdgs"] = sorted(chosen)
    data.pop("sdgs_selecting", None)


# ---------------------------------------------------------------------------- rendering
def topic_name(tr: Translator, content: Forum, topic_id: str | None) -> str:
    """The proposal topic's title in ``tr``'s language (the id if it was removed)."""
    if not topic_id:
        return "—"
    topic = content.proposal_topic(topic_id)
    return topic.title.get(tr.language) if topic is not None else topic_id


def file_size(tr: Translator, size: int | None) -> str:
    """ "1.5 MB" with the language's separators."""
    if not size:
        return ""
    if size < 1024 * 1024:
        return tr._("{size} KB").format(size=tr.number(round(size / 1024, 1)))
    return tr._("{size} MB").format(size=tr.number(round(size / 1024 / 1024, 1)))


def proposal_data(proposal: Proposal) -> dict[str, Any]:
    """A proposal's answers in the draft's shape, for the same rendering."""
    return {
        "org_name": proposal.org_name,
        "org_type": proposal.org_type,
        "bin": proposal.bin,
        "region": proposal.region,
        "contact_person": proposal.contact_person,
        "phone": proposal.phone,
        "email": proposal.email,
        "topic": proposal.topic,
        "sdgs": list(proposal.sdgs),
        "title": proposal.title,
        "summary": proposal.summary,
        "support": proposal.support,
        "attachment": (
            {
                "file_id": proposal.attachment_id,
                "name": proposal.attachment_name,
                "size": proposal.attachment_size,
            }
            if proposal.attachment_id
            else None
        ),
    }


def field_value(tr: Translator, content: Forum, data: Mapping[str, Any], name: str) -> str:
    """One answer as the review screen and the card show it."""
    value = data.get(name)
    if name == "org_type":
        return tr._(ORG_TYPES[value]) if value in ORG_TYPES else "—"
    if name == "region":
        return region_name(tr, value)
    if name == "topic":
        return topic_name(tr, content, value)
    if name == "sdgs":
        return "; ".join(sdg_label(tr, int(g)) for g in value or []) or "—"
    if name == "bin" and data.get("org_type") == "initiative":
        return tr._("not required for initiative groups")
    if name == "attachment":
        if not value:
            return tr._("none")
        size = file_size(tr, value.get("size"))
        return f"{value.get('name') or 'file'} ({size})" if size else str(value.get("name"))
    if value in (None, ""):
        return "—"
    return str(value)


def render_answers(
    tr: Translator, content: Forum, data: Mapping[str, Any], *, summary_limit: int | None = None
) -> str:
    """Every answer, one per line; the summary shortened to ``summary_limit`` if given."""
    lines = []
    for name in EDITABLE:
        value = field_value(tr, content, data, name)
        if name == "summary" and summary_limit is not None and len(value) > summary_limit:
            value = value[: summary_limit - 1].rstrip() + "…"
        if name in ("summary", "support"):
            lines.append(f"{tr._(FIELD_LABELS[name])}:\n{value}")
        else:
            lines.append(f"{tr._(FIELD_LABELS[name])}: {value}")
    return "\n".join(lines)


def status_label(tr: Translator, status: str) -> str:
    """ "✅ Accepted" in ``tr``'s language."""
    return f"{STATUS_ICONS.get(status, '')} {tr._(STATUS_LABELS[status])}".strip()
