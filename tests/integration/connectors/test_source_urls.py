"""Every record a connector brings opens at its provider: a deep link in ``source_url``.

All seven providers synced from the sandbox; any entity or activity without a link fails,
named by provider and type. A person known only by an address opens as the mail or the
meetings that name them; HubSpot owners open in its users settings.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import msgspec

from domain.integrations.providers import CATALOG
from tests.factories.sync_rig import sync_rig


async def test_every_synced_record_carries_a_link_into_its_provider(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        for provider in CATALOG:
            body = {"subdomain": "northwind"} if provider == "zendesk" else {}
            await rig.sync(await rig.connect(provider, **body))
        records = [*rig.entities(), *rig.activities()]
        unlinked = Counter((r.ref.provider, r.type) for r in records if not r.url)
        shown = msgspec.to_builtins(rig.activities()[0])

    assert {r.ref.provider for r in records} == set(CATALOG)
    assert unlinked == Counter()
    assert shown["source_url"] == rig.activities()[0].url  # the API's name for it
