"""The org's daily API allowance, read once per pass: Atlas leaves the last of it alone.

The allowance is the org's, shared with every other integration it runs; a sync that spent it
to the end would stop the customer's own tools. Below a reserve the pass is put off, as a 403
``REQUEST_LIMIT_EXCEEDED`` would put it off. Every REST answer reports the usage in
``Sforce-Limit-Info: api-usage=<used>/<max>``; the cheapest answer to read it from is the API
version's resource directory, which any API user may read (``/limits`` needs the "View Setup
and Configuration" permission, which a sales rep connecting Atlas usually lacks). Its ``Date``
also gives the pass the org's clock before its first query.
"""

from __future__ import annotations

import re

from adapters.connectors.api import ApiResponse, ProviderApi
from adapters.connectors.salesforce.errors import ALLOWANCE_WAIT_SECONDS
from domain.sync.errors import SourceThrottled

RESERVE_SHARE = 0.05  # of the daily maximum, left to the org's other tools
RESERVE_MIN = 500
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


async def check_allowance(api: ProviderApi, root: str) -> None:
    answer = await api.get(f"{root}/")
    left = remaining(answer)
    if left is None:
        return  # not reported: nothing to hold back for
    if below_reserve(*left):
        raise SourceThrottled("api_allowance_reserve", retry_after=ALLOWANCE_WAIT_SECONDS)


def below_reserve(used: int, maximum: int) -> bool:
    return maximum - used < max(RESERVE_MIN, int(maximum * RESERVE_SHARE))


def remaining(answer: ApiResponse) -> tuple[int, int] | None:
    """``(used, max)`` of the org's rolling 24-hour allowance, when the answer reports it."""
    match = _USAGE.search(answer.header("sforce-limit-info") or "")
    if match is None or int(match.group(2)) <= 0:
        return None
    return int(match.group(1)), int(match.group(2))
