"""HubSpot's pipelines API (``GET /crm/v3/pipelines/{objectType}``): the stages' labels.

The seeded portal has HubSpot's default pipelines: a deal's ``dealstage`` and a ticket's
``hs_pipeline_stage`` hold a stage id; the label is what people see in HubSpot.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.params import FromPath

from adapters.sandbox.bearer import authorized
from adapters.sandbox.context import AnyRequest, profile_of, sandbox_of
from adapters.sandbox.providers.hubspot.search import iso
from adapters.sandbox.reply import ProviderError, Reply

# (pipeline id, label, [(stage id, label, metadata)])
_DEALS = (
    "default",
    "Sales Pipeline",
    [
        ("appointmentscheduled", "Appointment Scheduled", {"probability": "0.2"}),
        ("qualifiedtobuy", "Qualified To Buy", {"probability": "0.4"}),
        ("presentationscheduled", "Presentation Scheduled", {"probability": "0.6"}),
        ("decisionmakerboughtin", "Decision Maker Bought-In", {"probability": "0.8"}),
        ("contractsent", "Contract Sent", {"probability": "0.9"}),
        ("closedwon", "Closed Won", {"probability": "1.0", "isClosed": "true"}),
        ("closedlost", "Closed Lost", {"probability": "0.0", "isClosed": "true"}),
    ],
)
_TICKETS = (
    "0",
    "Support Pipeline",
    [
        ("1", "New", {"ticketState": "OPEN"}),
        ("2", "Waiting on contact", {"ticketState": "OPEN"}),
        ("3", "Waiting on us", {"ticketState": "OPEN"}),
        ("4", "Closed", {"ticketState": "CLOSED"}),
    ],
)
_PIPELINES = {"deals": _DEALS, "tickets": _TICKETS}
_SCOPES = {
    "deals": ("crm.objects.deals.read",),
    "tickets": ("crm.objects.tickets.read", "tickets"),
}


@get("/v3/pipelines/{object_type:str}")
async def list_pipelines(request: AnyRequest, object_type: FromPath[str]) -> Response[bytes]:
    sandbox = sandbox_of(request)
    if object_type not in _PIPELINES:
        body = {"status": "error", "message": f"Unknown object type {object_type}"}
        raise ProviderError(Reply(status=400, body=body | {"category": "VALIDATION_ERROR"}))
    authorized(sandbox, profile_of(request, "hubspot"), request, *_SCOPES[object_type])
    since = iso(sandbox.dataset.start)
    pipeline_id, label, stages = _PIPELINES[object_type]
    rendered: dict[str, Any] = {
        "id": pipeline_id,
        "label": label,
        "displayOrder": 0,
        "archived": False,
        "createdAt": since,
        "updatedAt": since,
        "stages": [
            {
                "id": stage_id,
                "label": stage_label,
                "displayOrder": order,
                "metadata": {"isClosed": "false", **metadata},
                "archived": False,
                "createdAt": since,
                "updatedAt": since,
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
            }
            for order, (stage_id, stage_label, metadata) in enumerate(stages)
        ],
    }
    return Reply(status=200, body={"results": [rendered]}).to_response()
