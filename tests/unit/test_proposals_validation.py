"""Proposals: BIN check digits, phone and e-mail normalization, files, and the dialog's steps."""

from __future__ import annotations

import pytest

from bot.services.proposals import (
    InvalidAnswer,
    bin_check_digit,
    check_attachment,
    finish_sdgs,
    is_valid_bin,
    next_step,
    normalize_phone,
    parse_bin,
    parse_email,
    parse_text,
    set_org_type,
    toggle_sdg,
)


def _with_check(first11: str) -> str:
    check = bin_check_digit(first11)
    assert check is not None
    return first11 + str(check)


def test_check_digit_by_hand() -> None:
    # 9407 4 0 00091: 9*1+4*2+0*3+7*4+4*5+0*6+0*7+0*8+0*9+9*10+1*11 = 166; 166 % 11 = 1.
    assert bin_check_digit("94074000091") == 1
    assert is_valid_bin("940740000911")  # a real-format BIN: registered 07/1994, legal entity


@pytest.mark.parametrize("first11", ["18114012345", "00074000072", "12094000194", "18110500001"])
def test_computed_bins_are_valid_and_every_other_last_digit_is_not(first11: str) -> None:
    good = _with_check(first11)
    assert is_valid_bin(good)
    assert parse_bin(good[:4] + " " + good[4:]) == good
    for digit in "0123456789":
        if digit != good[-1]:
            assert not is_valid_bin(first11 + digit)


def test_second_weights_are_used_when_the_first_remainder_is_10() -> None:
    # Find numbers whose first weighted sum leaves 10, and check the second pass decides.
    found = 0
    for n in range(18110000000, 18110000400):
        first11 = str(n)
        digits = [int(c) for c in first11]
        if sum(d * w for d, w in zip(digits, range(1, 12), strict=False)) % 11 != 10:
            continue
        second = (
            sum(d * w for d, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], strict=False))
            % 11
        )
        if second == 10:
            assert bin_check_digit(first11) is None
            assert not any(is_valid_bin(first11 + d) for d in "0123456789")
        else:
            assert bin_check_digit(first11) == second
            assert is_valid_bin(first11 + str(second))
        found += 1
    assert found > 5


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("94074000091", "exactly 12 digits"),
        ("9407400009111", "exactly 12 digits"),
        ("94074000091A", "digits only"),
        ("940740000912", "check digit"),
        ("940740000919", "check digit"),
    ],
)
def test_invalid_bins_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse_bin(text)
    assert reason in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "8 701 123 45 67",
        "+7 (701) 123-45-67",
        "87011234567",
        "+77011234567",
        "77011234567",
        "7011234567",
        "8-701-123-45-67",
        " +7 701 123 4567 ",
    ],
)
def test_kazakhstan_phone_formats_normalize(text: str) -> None:
    assert normalize_phone(text) == "+77011234567"


def test_landline_numbers_normalize() -> None:
    assert normalize_phone("8 (727) 250-00-00") == "+77272500000"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345",
        "+7 495 123 45 67",
        "8 495 123 45 67",
        "+87011234567",
        "+380 44 123 4567",
        "870112345678",
        "phone",
        "8 701 123 45 6x",
    ],
)
def test_other_numbers_are_refused(text: str) -> None:
    assert normalize_phone(text) is None


def test_email_validation() -> None:
    assert parse_email(" Aigul.N@NGO.KZ ") == "Aigul.N@ngo.kz"
    for bad in ("aigul", "aigul@", "@ngo.kz", "a b@ngo.kz", "aigul@ngo", "a..b@ngo.kz", "a@ngo.k"):
        with pytest.raises(InvalidAnswer):
            parse_email(bad)


def test_text_limits() -> None:
    assert parse_text("  Title  ", 200) == "Title"
    with pytest.raises(InvalidAnswer) as caught:
        parse_text("x" * 201, 200)
    assert caught.value.params == {"length": 201, "limit": 200}
    with pytest.raises(InvalidAnswer):
        parse_text("   ", 200)


def test_attachments() -> None:
    check_attachment("plan.pdf", "application/pdf", 1000)
    check_attachment("Plan.DOCX", "application/octet-stream", 20 * 1024 * 1024)
    check_attachment("plan.doc", "application/msword", 10)
    with pytest.raises(InvalidAnswer, match="PDF, DOC or DOCX"):
        check_attachment("photo.jpg", "image/jpeg", 1000)
    with pytest.raises(InvalidAnswer, match="PDF, DOC or DOCX"):
        check_attachment("plan.pdf", "image/jpeg", 1000)  # a renamed picture
    with pytest.raises(InvalidAnswer, match="larger than"):
        check_attachment("plan.pdf", "application/pdf", 20 * 1024 * 1024 + 1)


def test_steps_follow_the_answers() -> None:
    data: dict = {}
    assert next_step(data) == "consent"
    data.update(consent_version="2018-11-v1", consent_at="2018-11-01T10:00:00+00:00")
    assert next_step(data) == "org_name"
    data["org_name"] = "Eco Almaty"
    set_org_type(data, "association")
    assert next_step(data) == "bin"
    data["bin"] = "940740000911"
    assert next_step(data) == "region"
    data["region"] = "almaty_city"
    data["contact_person"] = "Aigul"
    assert next_step(data) == "phone"
    data["phone"] = None  # skipped
    assert next_step(data) == "email"
    data["email"] = None  # no phone and no e-mail: still asked
    assert next_step(data) == "email"
    data["email"] = "a@ngo.kz"
    assert next_step(data) == "topic"
    data["topic"] = "sdg"
    assert next_step(data) == "sdgs"
    toggle_sdg(data, 4)
    toggle_sdg(data, 11)
    toggle_sdg(data, 4)
    assert next_step(data) == "sdgs"  # not confirmed yet
    finish_sdgs(data)
    assert data["sdgs"] == [11]
    data.update(title="T", summary="S", support="P")
    assert next_step(data) == "attachment"
    data["attachment"] = None
    assert next_step(data) == "review"
    # An initiative group has no BIN; turning it back into an association asks for one.
    set_org_type(data, "initiative")
    assert data["bin"] is None
    assert next_step(data) == "review"
    set_org_type(data, "foundation")
    assert next_step(data) == "bin"


def test_at_least_one_goal() -> None:
    data: dict = {}
    toggle_sdg(data, 3)
    toggle_sdg(data, 3)
    with pytest.raises(InvalidAnswer):
        finish_sdgs(data)
    with pytest.raises(InvalidAnswer):
        toggle_sdg(data, 18)
