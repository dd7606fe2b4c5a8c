"""The identity use cases on the fake adapter set, with handles on the fakes to inspect."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

from adapters.fakes.clock import FrozenClock
from adapters.fakes.email import FakeEmailSender
from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.passwords import FakePasswordHasher
from adapters.fakes.store import InMemoryStore
from application.identity.email_verification import VerifyEmailCommand
from application.identity.log_in import LogInCommand
from application.identity.sessions import Client, TokenPair
from application.identity.sign_up import SignUpCommand
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.shared.secret import Secret
from entrypoints.container import Application, fake_container
from entrypoints.settings import load_settings

PASSWORD = "correct horse battery staple"
CLIENT = Client(address="203.0.113.7", user_agent="pytest")


@dataclass
class World:
    container: Application

    @property
    def identity(self) -> Any:
        return self.container.use_cases.identity

    @property
    def clock(self) -> FrozenClock:
        return self.container.adapters.clock()  # type: ignore[no-any-return]

    @property
    def hasher(self) -> FakePasswordHasher:
        return self.container.adapters.password_hasher()  # type: ignore[no-any-return]

    @property
    def email(self) -> FakeEmailSender:
        return self.container.adapters.email()  # type: ignore[no-any-return]

    @property
    def store(self) -> InMemoryStore:
        return self.container.adapters.store()  # type: ignore[no-any-return]

    def uow(self, scope: Scope) -> FakeIdentityUnitOfWork:
        return FakeIdentityUnitOfWork(self.store, scope)

    async def sign_up(
        self,
        email: str | None = None,
        password: str = PASSWORD,
        organisation: str = "Acme",
        client: Client = CLIENT,
        *,
        verified: bool = True,
    ) -> TokenPair:
        """A new owner; ``verified`` follows the emailed link, as most tests' owners must
        before they invite or connect."""
        command = SignUpCommand(
            email=email or f"person-{uuid4().hex[:10]}@example.com",
            password=Secret(password),
            name="Ada Lovelace",
            organisation=organisation,
        )
        pair: TokenPair = await self.identity.sign_up().execute(command, client)
        if verified:
            await self.verify_email(pair.actor, client)
        return pair

    def verification_token(self, actor: Actor) -> str:
        """The newest verification link's token emailed to ``actor``'s user."""
        for message in reversed(self.email.sent):
            if message.kind == "email_verification":
                token: str = message.text.split("#token=")[1].split()[0]
                if token.split(".")[1] == str(actor.user_id):
                    return token
        raise AssertionError("no verification email was sent to this user")

    async def verify_email(self, actor: Actor, client: Client = CLIENT) -> None:
        command = VerifyEmailCommand(token=Secret(self.verification_token(actor)))
        await self.identity.verify_email().execute(command, client)

    async def log_in(
        self, email: str, password: str = PASSWORD, client: Client = CLIENT, **extra: Any
    ) -> TokenPair:
        command = LogInCommand(email=email, password=Secret(password), **extra)
        return await self.identity.log_in().execute(command, client)  # type: ignore[no-any-return]

    async def refresh(self, pair_or_token: TokenPair | str, client: Client = CLIENT) -> TokenPair:
        token = (
            pair_or_token.refresh_token
            if isinstance(pair_or_token, TokenPair)
            else Secret(pair_or_token)
        )
        return await self.identity.refresh_session().execute(token, client)  # type: ignore[no-any-return]

    async def email_of(self, actor: Actor) -> str:
        async with self.uow(actor.scope) as uow:
            user = await uow.users.get(actor.user_id)
        assert user is not None
        return user.email


def identity_world(tmp_path: Path, **environ: str) -> World:
    return World(fake_container(load_settings(environ, cwd=tmp_path)))
