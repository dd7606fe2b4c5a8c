"""Residency on the fakes: every way into a tenant of another region is refused, naming its
region's URL, and commits nothing (the store's commit count and tables stay as they were)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from adapters.fakes.store import IdentityTables
from application.identity.accept_invitation import AcceptInvitationCommand
from application.identity.invitations import InviteCommand
from application.identity.sign_up import SignUpCommand
from domain.identity.errors import WrongRegion
from domain.identity.model import Role
from domain.identity.residency import Residency
from domain.shared.ids import TenantId
from domain.shared.secret import Secret
from tests.factories.sessions import CLIENT, PASSWORD, World, identity_world
from tests.factories.settings import REGION_URLS

US_URL = "https://us.atlas.example"


@pytest.fixture
def world(tmp_path: Path) -> World:
    return identity_world(tmp_path, ATLAS_REGION_URLS=REGION_URLS)


def _move(world: World, tenant_id: TenantId, region: str) -> None:
    """As a restored dump or a hand-edited row would present the tenant."""
    tenants = world.store.tables.of(IdentityTables).tenants
    tenants[tenant_id] = msgspec.structs.replace(tenants[tenant_id], region=region)


def _names_us(refusal: pytest.ExceptionInfo[WrongRegion]) -> None:
    assert refusal.value.code == "tenancy.wrong_region"
    assert refusal.value.details == {"region": "us-central1", "region_url": US_URL}


def test_a_residency_admits_its_own_region_and_names_the_others_url() -> None:
    sut = Residency(region="europe-west4", urls=(("us-central1", US_URL),))

    sut.admit("europe-west4")
    with pytest.raises(WrongRegion) as refusal:
        sut.admit("us-central1")

    _names_us(refusal)
    assert US_URL in refusal.value.message


async def test_a_sign_up_for_another_region_commits_nothing(world: World) -> None:
    command = SignUpCommand(
        email="us@example.com", password=Secret(PASSWORD), name="Ada", organisation="Acme",
        region="us-central1",
    )  # fmt: skip
    commits = world.store.commits

    with pytest.raises(WrongRegion) as refusal:
        await world.identity.sign_up().execute(command, CLIENT)

    _names_us(refusal)
    assert world.store.commits == commits
    assert world.store.tables.of(IdentityTables).tenants == {}


async def test_sign_in_without_a_choice_takes_the_first_tenant_this_region_serves(
    world: World,
) -> None:
    home = await world.sign_up(email="two@example.com", organisation="Zeta EU")
    abroad = await _second_tenant(world, "two@example.com", organisation="Alpha US")
    _move(world, abroad, "us-central1")

    signed_in = await world.log_in("two@example.com")
    with pytest.raises(WrongRegion) as refusal:
        await world.log_in("two@example.com", tenant_id=abroad)

    assert signed_in.actor.tenant_id == home.actor.tenant_id
    _names_us(refusal)


async def test_switching_to_a_tenant_of_another_region_commits_nothing(world: World) -> None:
    home = await world.sign_up(email="switch@example.com", organisation="Home")
    abroad = await _second_tenant(world, "switch@example.com", organisation="Abroad")
    _move(world, abroad, "us-central1")
    signed_in = await world.log_in("switch@example.com", tenant_id=home.actor.tenant_id)
    before = world.store.tables
    commits = world.store.commits

    with pytest.raises(WrongRegion) as refusal:
        await world.identity.switch_tenant().execute(signed_in.actor, abroad)

    _names_us(refusal)
    assert world.store.commits == commits
    assert world.store.tables is before  # every commit replaces the tables


async def test_accepting_an_invitation_to_a_tenant_of_another_region_commits_nothing(
    world: World,
) -> None:
    owner = await world.sign_up()
    await world.identity.invite_member().execute(
        owner.actor, InviteCommand(email="bo@example.com", role=Role.MEMBER)
    )
    token = world.email.sent[-1].text.split("#token=")[1].split()[0]
    _move(world, owner.actor.tenant_id, "us-central1")
    command = AcceptInvitationCommand(token=Secret(token), password=Secret(PASSWORD), name="Bo")
    commits = world.store.commits

    with pytest.raises(WrongRegion) as refusal:
        await world.identity.accept_invitation().execute(command, CLIENT)

    _names_us(refusal)
    assert world.store.commits == commits


async def _second_tenant(world: World, email: str, organisation: str) -> TenantId:
    """A second tenant, whose owner invites ``email`` (already an account) to join it."""
    other = await world.sign_up(organisation=organisation)
    await world.identity.invite_member().execute(
        other.actor, InviteCommand(email=email, role=Role.MEMBER)
    )
    token = world.email.sent[-1].text.split("#token=")[1].split()[0]
    command = AcceptInvitationCommand(token=Secret(token), password=Secret(PASSWORD))
    joined = await world.identity.accept_invitation().execute(command, CLIENT)
    return joined.actor.tenant_id  # type: ignore[no-any-return]
