"""Database URL settings: parsed with the variable's name in every error, and TLS verified."""

from __future__ import annotations

from collections.abc import Iterable

from adapters.postgres.url import DatabaseUrl, DatabaseUrlError
from entrypoints.settings_keys import SettingsError


def database_url(raw: str | None, name: str) -> DatabaseUrl | None:
    if raw is None or raw == "":
        return None
    try:
        return DatabaseUrl.parse(raw)
    except DatabaseUrlError as error:
        raise SettingsError(f"{name}: {error}") from None


def check_database_tls(
    urls: Iterable[tuple[str, DatabaseUrl | None]], *, allow_unverified: bool, production: bool
) -> None:
    for name, url in urls:
        if url is None or url.is_unix_socket or url.tls_verified:
            continue
        if allow_unverified and not production:
            continue  # development only; the CLI warns each time it is used
        raise SettingsError(
            f"{name}: a TCP database connection needs sslmode=verify-full "
            f"(it has sslmode={url.tls_mode})"
            + (
                ""
                if production
                else "; ATLAS_DATABASE_ALLOW_UNVERIFIED_TLS=true allows it in development"
            )
        )
