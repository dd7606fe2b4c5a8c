"""Database URLs as values: parsed once, TLS mode explicit, password never printed."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from sqlalchemy.engine import URL

TlsMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
_TLS_MODES: tuple[TlsMode, ...] = (
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
)


class DatabaseUrlError(ValueError):
    pass


@dataclass(frozen=True, repr=False)
class DatabaseUrl:
    """A libpq-style URL: ``postgresql://user:password@host:port/db?sslmode=…&sslrootcert=…``.

    A Unix-socket URL puts the socket directory in ``?host=/path`` (libpq's convention).
    """

    user: str
    password: str | None = field(compare=False)
    host: str | None
    port: int
    database: str
    socket_dir: str | None = None
    tls_mode: TlsMode = "prefer"
    root_cert: str | None = None

    @classmethod
    def parse(cls, raw: str) -> DatabaseUrl:
        parts = urlsplit(raw)
        if parts.scheme not in ("postgresql", "postgres", "postgresql+asyncpg"):
            raise DatabaseUrlError("the scheme must be postgresql://")
        query = dict(parse_qsl(parts.query))
        mode = query.pop("sslmode", query.pop("ssl", "prefer"))
        if mode not in _TLS_MODES:
            raise DatabaseUrlError(f"sslmode must be one of {', '.join(_TLS_MODES)}")
        root_cert = query.pop("sslrootcert", None)
        socket_dir = query.pop("host", None)
        query.pop("port", None)
        if query:
            raise DatabaseUrlError(f"unsupported URL parameters: {', '.join(sorted(query))}")
        database = unquote(parts.path.lstrip("/"))
        if not parts.username or not database:
            raise DatabaseUrlError("the URL must name a user and a database")
        return cls(
            user=unquote(parts.username),
            password=unquote(parts.password) if parts.password is not None else None,
            host=None if socket_dir else parts.hostname,
            port=parts.port or 5432,
            database=database,
            socket_dir=socket_dir,
            tls_mode=mode,
            root_cert=root_cert,
        )

    def with_database(self, database: str) -> DatabaseUrl:
        return replace(self, database=database)

    @property
    def is_unix_socket(self) -> bool:
        return self.socket_dir is not None or self.host is None

    @property
    def tls_verified(self) -> bool:
        return self.tls_mode == "verify-full"

    def render(self, *, hide_password: bool = True) -> str:
        password = "***" if hide_password and self.password else self.password
        auth = quote(self.user, safe="")
        if password:
            auth += ":" + quote(password, safe="")
        query: dict[str, str] = {}
        if self.socket_dir:
            query["host"] = self.socket_dir
            query["port"] = str(self.port)
        if self.tls_mode != "prefer":
            query["sslmode"] = self.tls_mode
        if self.root_cert:
            query["sslrootcert"] = self.root_cert
        host = "" if self.socket_dir else (self.host or "")
        netloc = f"{auth}@{host}:{self.port}" if host else f"{auth}@"
        suffix = f"?{urlencode(query)}" if query else ""
        return f"postgresql://{netloc}/{quote(self.database, safe='')}{suffix}"

    def __repr__(self) -> str:
        return f"DatabaseUrl({self.render()!r})"

    __str__ = __repr__

    def sqlalchemy_url(self) -> URL:
        query = {"host": self.socket_dir} if self.socket_dir else {}
        return URL.create(
            "postgresql+asyncpg",
            username=self.user,
            password=self.password,
            host=None if self.socket_dir else self.host,
            port=self.port,
            database=self.database,
            query=query,
        )

    def asyncpg_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``asyncpg.connect``, TLS settled here and nowhere else."""
        kwargs: dict[str, Any] = {
            "user": self.user,
            "password": self.password,
            "database": self.database,
            "port": self.port,
            "host": self.socket_dir or self.host,
        }
        if not self.is_unix_socket:
            kwargs["ssl"] = self.ssl_argument()
        return kwargs

    def ssl_argument(self) -> ssl.SSLContext | str | bool:
        if self.tls_mode == "disable":
            return False
        if self.tls_mode in ("verify-full", "verify-ca"):
            context = ssl.create_default_context(cafile=self.root_cert)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.check_hostname = self.tls_mode == "verify-full"
            return context
        return self.tls_mode
