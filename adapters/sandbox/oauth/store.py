"""The authorization server's memory, changed atomically: one lock, never held across I/O.

Every decision that a concurrent request could race (redeeming a code, rotating a refresh
token, detecting reuse) happens inside one critical section, so fifty simultaneous refreshes
with the same token see exactly one winner, as at a real provider.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from adapters.sandbox.config import Provider
from adapters.sandbox.oauth.model import (
    AccessRecord,
    CodeRecord,
    Family,
    Issued,
    RefreshPolicy,
    RefreshRecord,
)
from adapters.sandbox.oauth.refusal import BearerReason, Reason, Refused
from adapters.sandbox.stats import Stats
from application.shared.ports import Clock

Mint = Callable[[Family], str]


class BearerRefused(Exception):
    def __init__(self, reason: BearerReason, family: Family | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.family = family


def digest(value: str) -> str:
    # Token values are kept only as hashes: the sandbox never holds them in a form it could echo.
    return hashlib.sha256(value.encode()).hexdigest()


class TokenStore:
    def __init__(self, clock: Clock, stats: Stats) -> None:
        self._clock, self._stats = clock, stats
        self._lock = threading.Lock()
        self._families: dict[str, Family] = {}
        self._refresh: dict[str, RefreshRecord] = {}
        self._access: dict[str, AccessRecord] = {}

    # -- token families ---------------------------------------------------------------------------

    def open_family(self, code: CodeRecord, *, scopes: tuple[str, ...], kind: str = "") -> Family:
        request = code.request
        family = Family(
            id=secrets.token_hex(8),
            provider=request.provider,
            client_id=request.client_id,
            subject=request.subject,
            scopes=scopes,
            kind=kind,
            created_at=self._clock.now(),
        )
        with self._lock:
            self._families[family.id] = family
            code.families.append(family.id)
            if code.replayed:  # a replay raced the first redemption: it still loses everything
                self._revoke_family(family.id, "authorization code replayed")
        return family

    def issue(
        self,
        family: Family,
        *,
        access: str,
        access_ttl: timedelta | None,
        refresh: str | None,
        refresh_ttl: timedelta | None = None,
    ) -> Issued:
        now = self._clock.now()
        with self._lock:
            self._store_pair(
                family,
                access=access,
                access_ttl=access_ttl,
                refresh=refresh,
                refresh_ttl=refresh_ttl,
                now=now,
            )
        return self._issued(family, access, refresh, access_ttl, refresh_ttl, refreshed=False)

    def refresh(
        self,
        presented: str,
        *,
        client_id: str,
        policy: RefreshPolicy,
        mint_access: Mint,
        mint_refresh: Mint,
        access_ttl: timedelta | None,
        refresh_ttl: timedelta | None = None,
    ) -> Issued:
        now = self._clock.now()
        with self._lock:
            key = digest(presented)
            record = self._refresh.get(key)
            family = self._families.get(record.family_id) if record else None
            if record is None or family is None:
                raise Refused(Reason.REFRESH_UNKNOWN, "unknown or invalid refresh token")
            self._check_refresh(record, family, client_id, policy, now)
            access = mint_access(family)
            new_refresh = mint_refresh(family) if policy.rotate else None
            if policy.rotate and record.rotated_at is None:
                record.rotated_at = now
            if policy.delete_old_pair:
                self._delete_pair(key)
            record.last_used_at = now
            self._store_pair(
                family,
                access=access,
                access_ttl=access_ttl,
                refresh=new_refresh,
                refresh_ttl=refresh_ttl,
                now=now,
                parent=key,
            )
        self._stats.count(family.provider, client_id, "refreshes")
        return self._issued(family, access, new_refresh, access_ttl, refresh_ttl, refreshed=True)

    def _check_refresh(
        self,
        record: RefreshRecord,
        family: Family,
        client_id: str,
        policy: RefreshPolicy,
        now: datetime,
    ) -> None:
        if family.client_id != client_id:
            raise Refused(Reason.REFRESH_OTHER_CLIENT, "refresh token belongs to another client")
        if family.revoked:
            raise Refused(Reason.REFRESH_REVOKED, "refresh token revoked")
        expired = (record.expires_at is not None and now > record.expires_at) or (
            (policy.idle_ttl is not None and now - record.last_used_at > policy.idle_ttl)
            or (policy.absolute_ttl is not None and now - family.created_at > policy.absolute_ttl)
        )
        if expired:
            raise Refused(Reason.REFRESH_EXPIRED, "refresh token expired")
        if record.rotated_at is None:
            return
        if policy.reuse_grace is not None and now - record.rotated_at <= policy.reuse_grace:
            self._stats.count(family.provider, client_id, "grace_reuses")
            return
        if policy.reuse_revokes_family:
            self._revoke_family(family.id, "rotated refresh token reused")
            raise Refused(Reason.REFRESH_REUSED, "refresh token reused; token family revoked")
        raise Refused(Reason.REFRESH_UNKNOWN, "refresh token already used")

    # -- revocation ------------------------------------------------------------------------------

    def revoke_family(self, family_id: str, reason: str) -> None:
        with self._lock:
            self._revoke_family(family_id, reason)

    def revoke_grants(self, provider: Provider, client_id: str | None = None) -> int:
        """The person removed the app at the provider: every matching family dies."""
        with self._lock:
            live = [
                f
                for f in self._families.values()
                if f.provider == provider and not f.revoked and client_id in (None, f.client_id)
            ]
            for family in live:
                self._revoke_family(family.id, "grant revoked at the provider")
        return len(live)

    def has_granted(self, provider: Provider, client_id: str, subject: str) -> bool:
        """Has this person authorized this client before (any family, live or not)?"""
        with self._lock:
            return any(
                f.provider == provider and f.client_id == client_id and f.subject == subject
                for f in self._families.values()
            )

    def family_of(self, value: str) -> tuple[str, Family] | None:
        """``("access" | "refresh", family)`` for a live token value, else None."""
        key = digest(value)
        with self._lock:
            access = self._access.get(key)
            if access is not None and not access.revoked:
                return "access", self._families[access.family_id]
            refresh = self._refresh.get(key)
            if refresh is not None:
                return "refresh", self._families[refresh.family_id]
        return None

    def revoke_access(self, value: str, *, with_pair: bool = False) -> bool:
        key = digest(value)
        with self._lock:
            record = self._access.get(key)
            if record is None or record.revoked:
                return False
            record.revoked = True
            if with_pair and record.refresh_digest is not None:
                self._refresh.pop(record.refresh_digest, None)
        return True

    def expire_access(self, provider: Provider) -> int:
        """Every live access token of ``provider`` expires now; refresh tokens still work."""
        now, expired = self._clock.now(), 0
        with self._lock:
            for record in self._access.values():
                family = self._families.get(record.family_id)
                live = record.expires_at is None or record.expires_at > now
                if family is not None and family.provider == provider and live:
                    record.expires_at, expired = now, expired + 1
        return expired

    def revoke_refresh(self, value: str) -> bool:
        """Delete one refresh token; access tokens already issued keep working (HubSpot)."""
        with self._lock:
            return self._refresh.pop(digest(value), None) is not None

    # -- bearer checks ---------------------------------------------------------------------------

    def authenticate(self, value: str, provider: Provider) -> Family:
        with self._lock:
            record = self._access.get(digest(value))
            family = self._families.get(record.family_id) if record else None
        if record is None or family is None or family.provider != provider:
            raise BearerRefused(BearerReason.UNKNOWN)
        if record.revoked or family.revoked:
            raise BearerRefused(BearerReason.REVOKED, family)
        if record.expires_at is not None and self._clock.now() >= record.expires_at:
            raise BearerRefused(BearerReason.EXPIRED, family)
        return family

    def expires_at(self, value: str) -> datetime | None:
        with self._lock:
            record = self._access.get(digest(value))
        return record.expires_at if record else None

    # -- internals (lock held) -------------------------------------------------------------------

    def _store_pair(
        self,
        family: Family,
        *,
        access: str,
        access_ttl: timedelta | None,
        refresh: str | None,
        refresh_ttl: timedelta | None,
        now: datetime,
        parent: str | None = None,
    ) -> None:
        refresh_key = digest(refresh) if refresh else parent
        if refresh is not None:
            expires = now + refresh_ttl if refresh_ttl else None
            self._refresh[digest(refresh)] = RefreshRecord(family.id, now, now, expires)
        expires_at = now + access_ttl if access_ttl is not None else None
        self._access[digest(access)] = AccessRecord(family.id, now, expires_at, refresh_key)

    def _delete_pair(self, refresh_key: str) -> None:
        self._refresh.pop(refresh_key, None)
        for record in self._access.values():
            if record.refresh_digest == refresh_key:
                record.revoked = True

    def _revoke_family(self, family_id: str, reason: str) -> None:
        family = self._families.get(family_id)
        if family is None or family.revoked:
            return
        family.revoked_at, family.revoked_reason = self._clock.now(), reason
        self._stats.count(family.provider, family.client_id, "family_revocations")

    def _issued(
        self,
        family: Family,
        access: str,
        refresh: str | None,
        access_ttl: timedelta | None,
        refresh_ttl: timedelta | None,
        *,
        refreshed: bool,
    ) -> Issued:
        self._stats.count(family.provider, family.client_id, "access_tokens_issued")
        if refresh is not None:
            self._stats.count(family.provider, family.client_id, "refresh_tokens_issued")
        return Issued(
            family=family,
            access_token=access,
            refresh_token=refresh,
            expires_in=_seconds(access_ttl),
            refresh_expires_in=_seconds(refresh_ttl) if refresh else None,
            refreshed=refreshed,
        )


def _seconds(ttl: timedelta | None) -> int | None:
    return int(ttl.total_seconds()) if ttl is not None else None
