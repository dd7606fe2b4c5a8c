"""Refresh rotation as a state machine: no revoked family ever yields a token; replay revokes.

Hypothesis drives sign-ins, refreshes, races inside the reuse window, replays of older tokens,
logouts, password changes and the passing of time; a model predicts each outcome and the
store must agree after every step.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from application.identity.change_password import ChangePasswordCommand
from application.identity.sessions import Client, TokenPair
from domain.identity.errors import InvalidRefreshToken, SessionEnded
from domain.shared.secret import Secret
from tests.factories.sessions import CLIENT, PASSWORD, World, identity_world

WINDOW = timedelta(seconds=10)  # the default ATLAS_REFRESH_REUSE_WINDOW_SECONDS
EMAIL = "ada@example.com"


@dataclass
class Family:
    """What the model expects of one refresh family."""

    session_id: UUID
    live: list[TokenPair]  # tokens that may be used now
    spent: list[TokenPair] = field(default_factory=list)  # every token no longer usable
    previous: TokenPair | None = None  # the last rotated token …
    previous_used_at: datetime | None = None  # … and when
    revoked: bool = False


class RefreshRotation(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.world: World = identity_world(Path(tempfile.mkdtemp()))
        self.families: list[Family] = []
        self.current: TokenPair | None = None  # the session that changes the password

    def run(self, coroutine):  # type: ignore[no-untyped-def]
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.loop.close()

    @initialize()
    def sign_up(self) -> None:
        pair = self.run(self.world.sign_up(email=EMAIL))
        self.current = pair
        self.families.append(Family(session_id=pair.actor.session_id, live=[pair]))

    @rule()
    def sign_in(self) -> None:
        # From a new address each time: the per-address limit is not what this machine tests.
        client = Client(address=f"10.1.0.{len(self.families)}")
        pair = self.run(self.world.log_in(EMAIL, client=client))
        self.families.append(Family(session_id=pair.actor.session_id, live=[pair]))

    @rule(data=st.data())
    def refresh_a_live_token(self, data: st.DataObject) -> None:
        family = data.draw(st.sampled_from(self.families))
        if not family.live:
            return
        token = data.draw(st.sampled_from(family.live))
        outcome = self._refresh(token)
        if family.revoked:
            assert outcome is None, "a revoked family yielded a token"
            return
        assert outcome is not None
        family.spent += [t for t in family.live if t is not token]  # superseded siblings
        family.previous, family.previous_used_at = token, self.world.clock.now()
        family.spent.append(token)
        family.live = [outcome]

    @rule(data=st.data())
    def race_with_the_previous_token(self, data: st.DataObject) -> None:
        family = data.draw(st.sampled_from(self.families))
        if family.previous is None or family.previous_used_at is None:
            return
        outcome = self._refresh(family.previous)
        in_window = self.world.clock.now() - family.previous_used_at <= WINDOW
        if family.revoked:
            assert outcome is None, "a revoked family yielded a token"
        elif in_window:
            assert outcome is not None
            family.live.append(outcome)
        else:
            assert outcome is None
            self._revoked(family)

    @rule(data=st.data())
    def replay_an_older_token(self, data: st.DataObject) -> None:
        family = data.draw(st.sampled_from(self.families))
        older = [t for t in family.spent if t is not family.previous]
        if not older:
            return
        outcome = self._refresh(data.draw(st.sampled_from(older)))
        assert outcome is None, "a replayed token was exchanged"
        self._revoked(family)

    @rule(data=st.data())
    def log_out(self, data: st.DataObject) -> None:
        family = data.draw(st.sampled_from(self.families))
        owner = family.live[0] if family.live else family.spent[0]
        self.run(self.world.identity.log_out().execute(owner.actor))
        self._revoked(family)

    @precondition(lambda self: self.current is not None)
    @rule()
    def change_password(self) -> None:
        assert self.current is not None
        command = ChangePasswordCommand(
            current_password=Secret(PASSWORD), new_password=Secret(PASSWORD)
        )
        try:
            self.run(
                self.world.identity.change_password().execute(self.current.actor, command, CLIENT)
            )
        except SessionEnded:
            assert self._family_of(self.current).revoked
            return
        for family in self.families:
            if family.session_id != self.current.actor.session_id:
                self._revoked(family)

    @rule(seconds=st.integers(min_value=0, max_value=40))
    def time_passes(self, seconds: int) -> None:
        self.world.clock.advance(timedelta(seconds=seconds))

    @invariant()
    def the_store_agrees_with_the_model(self) -> None:
        for family in self.families:
            stored = self.run(self._stored(family))
            assert stored is not None
            assert (stored.revoked_at is not None) == family.revoked

    def _refresh(self, token: TokenPair) -> TokenPair | None:
        try:
            return self.run(self.world.refresh(token))  # type: ignore[no-any-return]
        except InvalidRefreshToken:
            return None

    def _revoked(self, family: Family) -> None:
        family.revoked = True
        family.spent += family.live
        family.live = []

    def _family_of(self, pair: TokenPair) -> Family:
        return next(f for f in self.families if f.session_id == pair.actor.session_id)

    async def _stored(self, family: Family):  # type: ignore[no-untyped-def]
        pair = (family.live or family.spent)[0]
        async with self.world.uow(pair.actor.scope) as uow:
            return await uow.sessions.get_family(family.session_id)


RefreshRotation.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
test_refresh_rotation = RefreshRotation.TestCase
