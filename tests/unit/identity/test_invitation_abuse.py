"""Invitations cannot be turned into a phishing mailer (attack findings, item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from application.identity.invitations import InviteCommand
from domain.identity.display import shown_name
from domain.identity.errors import InvalidEmail, InvalidName, TooManyAttempts
from domain.identity.model import Role, clean_name, normalise_email
from tests.factories.sessions import World, identity_world

LURE = "ACTION REQUIRED: your password expires, sign in at https://evil.example/login"


@pytest.fixture
def world(tmp_path: Path) -> World:
    return identity_world(tmp_path)


async def test_a_tenant_name_reaches_the_email_quoted_and_defanged_never_in_the_subject(
    world: World,
) -> None:
    owner = await world.sign_up(organisation=LURE)

    await world.identity.invite_member().execute(
        owner.actor, InviteCommand(email="bo@example.com", role=Role.MEMBER)
    )

    sent = world.email.sent[-1]
    assert "ACTION" not in sent.subject
    assert "https://evil.example" not in sent.text
    assert "evil.example" not in sent.text
    assert "named “ACTION REQUIRED: your password expires, sign in at hxxps[://]" in sent.text
    assert sent.text.count("https://") == 1  # the accept link, Atlas's only link


async def test_an_inviter_sending_too_many_invitations_is_limited(world: World) -> None:
    owner = await world.sign_up()
    invite = world.identity.invite_member()

    for n in range(20):
        await invite.execute(
            owner.actor, InviteCommand(email=f"p{n}@example.com", role=Role.MEMBER)
        )
    with pytest.raises(TooManyAttempts) as limited:
        await invite.execute(owner.actor, InviteCommand(email="p20@example.com", role=Role.MEMBER))

    assert [m.kind for m in world.email.sent].count("invitation") == 20
    assert limited.value.retry_after > 0


@pytest.mark.parametrize(
    "raw",
    [
        "bo\u200b@example.com",  # zero-width space
        "bo@exa\u200dmple.com",  # zero-width joiner
        "\u202ebo@example.com",  # right-to-left override
        "bo\u2066@example.com",  # left-to-right isolate
        "bo\ufeff@example.com",  # byte-order mark
        "bo\u00ad@example.com",  # soft hyphen
        "bo\u2028@example.com",  # line separator
    ],
)
def test_an_address_with_an_invisible_character_is_refused(raw: str) -> None:
    with pytest.raises(InvalidEmail):
        normalise_email(raw)


def test_a_name_with_a_bidirectional_override_is_refused() -> None:
    with pytest.raises(InvalidName):
        clean_name("Acme \u202eevil")
    assert clean_name("Zoë  Ångström") == "Zoë Ångström"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Acme", "“Acme”"),
        ("acme.com", "“acme[.]com”"),
        ("write to ceo@acme.com", "“write to ceo[at]acme[.]com”"),
        ("http://x.io and ftp://y", "“hxxp[://]x[.]io and ftp[://]y”"),
        ("A" * 100, "“" + "A" * 59 + "…”"),
    ],
)
def test_names_are_shown_quoted_defanged_and_short(name: str, shown: str) -> None:
    assert shown_name(name) == shown
