"""HubSpot deals into graph records: the deal, its links, and one activity per stage entered.

A stage change is the history of ``dealstage`` (``propertiesWithHistory``): its type is the
stage's label as the pipeline names it ("Closed Won"), its time the history timestamp, its
actor the HubSpot user who made the change when the history names one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import msgspec

from adapters.connectors.hubspot.normalise import (
    PROVIDER,
    Source,
    attributes,
    iso,
    millis,
    moment,
    number,
)
from adapters.connectors.hubspot.records import Deal, Version
from domain.graph.model import (
    ActivityRecord,
    EntityRecord,
    GraphBatch,
    Link,
    RelationshipRecord,
    SourceRef,
)


class DealLinks(msgspec.Struct, frozen=True, kw_only=True):
    """What a page of deals was read with besides the deals: history and associations."""

    stages: Mapping[str, Sequence[Version]] = {}  # deal id -> its dealstage history
    companies: Mapping[str, Sequence[str]] = {}
    contacts: Mapping[str, Sequence[str]] = {}
    labels: Mapping[str, str] = {}  # stage id -> label


def deals(source: Source, items: Iterable[Deal], links: DealLinks) -> GraphBatch:
    entities: list[EntityRecord] = []
    relationships: list[RelationshipRecord] = []
    activities: list[ActivityRecord] = []
    for deal in items:
        ref = source.ref("deal", deal.id)
        entities.append(_deal(source, deal, links.labels))
        owner = (deal.properties.hubspot_owner_id or "").strip()
        targets = [("owner", "owner", owner)] if owner else []
        targets += [("company", "company", c) for c in links.companies.get(deal.id, ())]
        targets += [("contact", "contact", c) for c in links.contacts.get(deal.id, ())]
        for kind, qualifier, target_id in targets:
            entities.append(source.mention(kind, target_id))
            target = source.ref(kind, target_id)
            relationships.append(RelationshipRecord(source=ref, target=target, qualifier=qualifier))
        history = links.stages.get(deal.id, ())
        stage_activities = stage_changes(source, deal, history, links.labels)
        activities += stage_activities
        entities += [
            source.mention("user", a.actor.source_id.removeprefix("user:"))
            for a in stage_activities
            if a.actor is not None
        ]
    return GraphBatch(
        entities=tuple(entities), relationships=tuple(relationships), activities=tuple(activities)
    )


def _deal(source: Source, deal: Deal, labels: Mapping[str, str]) -> EntityRecord:
    p = deal.properties
    values = {
        "dealstage": p.dealstage,
        "stage": labels.get(p.dealstage or "", p.dealstage),
        "pipeline": p.pipeline,
        "amount": number(p.amount),
        "close_date": iso(p.closedate),
        "created_at": iso(p.createdate),
        "updated_at": iso(deal.modified()),
    }
    return EntityRecord(
        ref=source.ref("deal", deal.id),
        type="deal",
        name=p.dealname,
        attributes=attributes(values),
        url=source.url("deal", deal.id),
    )


def stage_changes(
    source: Source, deal: Deal, history: Sequence[Version], labels: Mapping[str, str]
) -> list[ActivityRecord]:
    """One activity per stage the deal entered, oldest first (HubSpot lists newest first)."""
    entered = sorted(
        ((at, v) for v in history if v.value and (at := millis(v.timestamp)) is not None),
        key=lambda pair: pair[0],
    )
    out = []
    for seq, (at, version) in enumerate(entered):
        stage = version.value or ""
        when = moment(version.timestamp)
        if when is None:
            continue
        actor = _user(version)
        out.append(
            ActivityRecord(
                ref=SourceRef(
                    provider=PROVIDER,
                    scope=source.scope,
                    source_id=f"dealstage:{deal.id}:{at}:{stage}",
                ),
                type=labels.get(stage, stage),
                occurred_at=when,
                source_seq=seq,
                actor=source.ref("user", actor) if actor else None,
                attributes={
                    "stage": stage,
                    "pipeline": deal.properties.pipeline,
                    "source": version.sourceType,
                },
                links=(Link(object=source.ref("deal", deal.id), qualifier="deal"),),
                url=source.url("deal", deal.id),
            )
        )
    return out


def _user(version: Version) -> str | None:
    """The HubSpot user who made the change (``updatedByUserId``, else ``userId:`` sources)."""
    if version.updatedByUserId is not None and version.updatedByUserId > 0:
        return str(version.updatedByUserId)
    source_id = version.sourceId or ""
    user = source_id.removeprefix("userId:")
    return user if source_id.startswith("userId:") and user.isdigit() else None
