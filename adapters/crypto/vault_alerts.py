"""Key-usage alerts as log records an operator's alerting picks up (logger ``atlas.vault``)."""

from __future__ import annotations

import logging

from application.vault.ports import KeyUsageAlerts

log = logging.getLogger("atlas.vault")


class LoggingKeyUsageAlerts(KeyUsageAlerts):
    def key_usage_high(self, version: int, encryptions: int) -> None:
        log.warning(
            "vault key version %d has sealed up to %d values; it is rotated automatically at "
            "2^31 (run atlas keys rotate to do it now)",
            version,
            encryptions,
        )

    def key_rotated(self, retired_from_sealing: int, sealing: int, reason: str) -> None:
        log.warning(
            "vault key version %d now seals (%s); version %d is decrypt-only: run atlas keys "
            "reencrypt, then atlas keys retire %d",
            sealing,
            reason,
            retired_from_sealing,
            retired_from_sealing,
        )
