"""RefreshFlights: one flight per key shared by its callers, and a bounded number at once."""

from __future__ import annotations

import asyncio

import pytest

from application.integrations.refresh_flights import RefreshFlights
from domain.integrations.errors import RefreshBusy


async def test_callers_of_one_key_share_one_flight_even_when_the_first_gives_up() -> None:
    flights, flown, gate = RefreshFlights[str](slots=2, wait_seconds=5), [], asyncio.Event()

    async def fly() -> str:
        flown.append(1)
        await gate.wait()
        return "token"

    first = asyncio.create_task(flights.join("a", fly))
    others = [asyncio.create_task(flights.join("a", fly)) for _ in range(5)]
    await asyncio.sleep(0)
    first.cancel()  # its caller went away: the others still get the flight's outcome
    gate.set()
    results = await asyncio.gather(*others)

    assert results == ["token"] * 5
    assert flown == [1]
    assert flights.in_flight() == 0


async def test_a_failed_flight_fails_its_callers_and_the_next_call_flies_again() -> None:
    flights, flown = RefreshFlights[str](slots=1, wait_seconds=5), []

    async def fly() -> str:
        flown.append(1)
        await asyncio.sleep(0)
        raise RefreshBusy(retry_after=1)

    outcomes = await asyncio.gather(*(flights.join("a", fly) for _ in range(3)),
                                    return_exceptions=True)  # fmt: skip
    with pytest.raises(RefreshBusy):
        await flights.join("a", fly)

    assert all(isinstance(o, RefreshBusy) for o in outcomes)
    assert flown == [1, 1]


async def test_no_more_flights_than_slots_at_once_and_a_slot_waited_for_too_long_is_busy() -> None:
    flights, gate = RefreshFlights[str](slots=2, wait_seconds=0.05), asyncio.Event()
    flying, most = 0, 0

    async def fly() -> str:
        nonlocal flying, most
        flying += 1
        most = max(most, flying)
        await gate.wait()
        flying -= 1
        return "token"

    calls = [asyncio.create_task(flights.join(key, fly)) for key in "abcde"]
    done, _ = await asyncio.wait(calls[2:])  # three keys found no slot within the wait
    gate.set()
    flown = await asyncio.gather(*calls[:2])

    assert most == 2
    assert flown == ["token", "token"]
    assert all(isinstance(call.exception(), RefreshBusy) for call in done)
