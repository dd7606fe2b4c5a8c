"""Zendesk Support API answers as documented: no machine-readable spec is published.

Sources (developer.zendesk.com/api-reference), and providers.md 2.5:
- incremental exports: /ticketing/ticket-management/incremental_exports/ (cursor-based
  tickets: ``tickets``, ``after_url``, ``after_cursor``, ``before_url``, ``before_cursor``,
  ``end_of_stream``; time-based ticket events: ``ticket_events``, ``next_page``, ``count``,
  ``end_of_stream``, ``end_time``; an event's ``via`` is a string there, and its
  ``child_events`` carry one key per changed field: open)
- pagination: /introduction/pagination/ (cursor: ``meta.has_more``, ``meta.after_cursor``,
  ``meta.before_cursor``, ``links.next``, ``links.prev``; offset: ``next_page``,
  ``previous_page``, ``count``)
- objects: /ticketing/tickets/tickets/ (Ticket), /ticketing/tickets/ticket_audits/ (Audit:
  ``author_id``, ``created_at``, ``events``, ``id``, ``metadata``, ``ticket_id``, ``via``;
  events Create ``{id, type, field_name, value}``, Change adds ``previous_value``, Comment),
  /ticketing/users/users/ (User), /ticketing/organizations/organizations/ (Organization)
- errors: /introduction/requests/ ("Response format": ``{"error": …, "description"?}``,
  404 ``RecordNotFound``); 429 with ``Retry-After``: /introduction/rate-limits/
"""

from __future__ import annotations

from tests.fidelity.documented.shapes import (
    ANY,
    BOOLEAN,
    INTEGER,
    STRING,
    Schema,
    array,
    closed,
    nullable,
    open_bag,
    untyped,
)

TIME: Schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"}
ID = INTEGER
TEXT = nullable(STRING)
REF = nullable(INTEGER)
VIA = closed({"channel": STRING}, {"source": open_bag({})})

# Every documented ticket property; those the connector reads are typed.
TICKET_USED: dict[str, Schema] = {
    "id": ID,
    "status": {"enum": ["new", "open", "pending", "hold", "solved", "closed", "deleted"]},
    "created_at": TIME,
    "updated_at": TIME,
}
TICKET_OTHER: dict[str, Schema] = {
    "priority": nullable({"enum": ["urgent", "high", "normal", "low"]}),
    "type": nullable({"enum": ["problem", "incident", "question", "task"]}),
    "requester_id": REF, "submitter_id": REF, "assignee_id": REF,
    "organization_id": REF, "group_id": REF,
    "tags": array(STRING), "via": VIA, "url": STRING, "external_id": TEXT,
    "generated_timestamp": INTEGER, "subject": TEXT, "raw_subject": TEXT, "description": TEXT,
    "collaborator_ids": array(INTEGER), "is_public": BOOLEAN,
    **untyped(
        "allow_attachments allow_channelback assignee_email attribute_value_ids "
        "brand_id collaborators comment custom_fields custom_status_id due_at "
        "email_cc_ids email_ccs follower_ids followers followup_ids forum_topic_id "
        "from_messaging_channel fields has_incidents macro_id macro_ids metadata "
        "problem_id recipient requester safe_update satisfaction_rating "
        "sharing_agreement_ids ticket_form_id updated_stamp via_followup_source_id "
        "via_id voice_comment"
    ),
}  # fmt: skip
TICKET = closed(TICKET_USED, TICKET_OTHER)
USER = closed(
    {"id": ID},
    {
        "name": TEXT, "email": TEXT, "role": {"enum": ["end-user", "agent", "admin"]},
        "organization_id": REF, "active": BOOLEAN, "url": STRING, "time_zone": STRING,
        **untyped(
            "alias chat_only created_at custom_role_id default_group_id details external_id "
            "iana_time_zone last_login_at locale locale_id moderator notes "
            "only_private_comments phone photo remote_photo_url report_csv restricted_agent "
            "role_type shared shared_agent shared_phone_number signature suspended tags "
            "ticket_restriction two_factor_auth_enabled updated_at user_fields verified"
        ),
    },
)  # fmt: skip
ORGANIZATION = closed(
    {"id": ID},
    {
        "name": TEXT, "domain_names": array(STRING), "url": STRING,
        "created_at": TIME, "updated_at": TIME,
        **untyped(
            "details external_id group_id notes organization_fields shared_comments "
            "shared_tickets tags"
        ),
    },
)  # fmt: skip

# A child event names the changed field by its own key (``"status": "open"``, with
# ``previous_value`` on a Change: the export guide's examples), so it is open. The sandbox
# also sends ``field_name`` (the audit events' key); which of the two Zendesk's export sends
# is not settled by the reference, so the connector reads either (records.ChildEvent).
# Values are text, a list (tags) or an object (an SLA field): audit events reference.
CHANGED: Schema = {"anyOf": [STRING, INTEGER, array(STRING), open_bag({}), {"type": "null"}]}
CHILD_EVENT = open_bag(
    {"id": ID, "event_type": STRING},
    {
        "via": STRING, "via_reference_id": REF, "field_name": STRING, "status": TEXT,
        "value": CHANGED, "previous_value": CHANGED,
    },
)  # fmt: skip
TICKET_EVENT = closed(
    {"id": ID, "ticket_id": ID, "timestamp": INTEGER, "child_events": array(CHILD_EVENT)},
    {
        "created_at": TIME, "updater_id": REF, "via": STRING, "event_type": STRING,
        "system": open_bag({}), "merged_ticket_ids": array(INTEGER),
    },
)  # fmt: skip
# Audit events (ticket audit events reference,
# /documentation/ticketing/reference-guides/ticket-audit-events-reference/): Create and
# Change carry ``field_name`` and ``value`` (text, a list for tags, an object for SLA
# fields); "Events may be added at any time": another type is allowed, named in ``type``.
KNOWN_TYPES = ["Create", "Change", "Comment"]
AUDIT_EVENT: Schema = {
    "oneOf": [
        closed(
            {"id": ID, "type": {"const": "Create"}, "field_name": STRING, "value": CHANGED},
            {"via": VIA},
        ),
        closed(
            {
                "id": ID,
                "type": {"const": "Change"},
                "field_name": STRING,
                "value": CHANGED,
                "previous_value": CHANGED,
            },
            {"via": VIA},
        ),
        closed(
            {"id": ID, "type": {"const": "Comment"}, "body": STRING, "public": BOOLEAN},
            {
                "author_id": INTEGER,
                "html_body": STRING,
                "plain_body": STRING,
                "attachments": array(ANY),
                "audit_id": INTEGER,
                "metadata": open_bag({}),
                "via": VIA,
                "created_at": TIME,
            },
        ),
        open_bag({"id": ID, "type": {"type": "string", "not": {"enum": KNOWN_TYPES}}}),
    ]
}
AUDIT = closed(
    {"id": ID, "ticket_id": ID, "created_at": TIME, "events": array(AUDIT_EVENT)},
    {"author_id": REF, "metadata": open_bag({}), "via": VIA},
)

CURSOR_EXPORT = closed(
    {
        "tickets": array(TICKET),
        "after_cursor": TEXT, "after_url": TEXT, "before_cursor": TEXT, "before_url": TEXT,
        "end_of_stream": BOOLEAN,
    }
)  # fmt: skip
EVENT_EXPORT = closed(
    {"ticket_events": array(TICKET_EVENT), "end_of_stream": BOOLEAN, "end_time": INTEGER},
    {"next_page": TEXT, "count": INTEGER},
)
CURSOR_PAGING: dict[str, Schema] = {
    "meta": closed({"has_more": BOOLEAN, "after_cursor": TEXT, "before_cursor": TEXT}),
    "links": closed({"next": TEXT, "prev": TEXT}),
}
OFFSET_PAGING: dict[str, Schema] = {"next_page": TEXT, "previous_page": TEXT, "count": INTEGER}


def listing(key: str, item: Schema) -> Schema:
    """A list answer: cursor pagination (``page[size]``) or offset pagination."""
    schema = closed({key: array(item)}, {**CURSOR_PAGING, **OFFSET_PAGING})
    schema["oneOf"] = [{"required": sorted(CURSOR_PAGING)}, {"required": sorted(OFFSET_PAGING)}]
    return schema


def _zd(path: str) -> tuple[str, str, str]:
    return ("zendesk", "GET", "/api/v2/" + path)


SCHEMAS: dict[tuple[str, str, str], Schema] = {
    _zd("incremental/tickets/cursor.json"): CURSOR_EXPORT,
    _zd("incremental/ticket_events.json"): EVENT_EXPORT,
    _zd("users.json"): listing("users", USER),
    _zd("organizations.json"): listing("organizations", ORGANIZATION),
    _zd("tickets/{}"): closed({"ticket": TICKET}),
    _zd("tickets/{}/audits/{}"): closed({"audit": AUDIT}),
    _zd("users/{}"): closed({"user": USER}),
    _zd("organizations/{}"): closed({"organization": ORGANIZATION}),
}

ERROR = closed(
    {"error": {"anyOf": [STRING, open_bag({"title": STRING, "message": STRING})]}},
    {"description": STRING, "details": open_bag({})},
)
# The one exception to ERROR: the 401 of a bad OAuth token is the OAuth 2.0 bearer error
# (RFC 6750's ``invalid_token``) with ``error_description``, which the API reference does not
# show; it is what Zendesk answers (the same body is recorded by Airbyte's and Singer's
# Zendesk connectors' tests), so the sandbox keeps it.
BEARER_ERROR = closed({"error": {"const": "invalid_token"}, "error_description": STRING})
# A 429 says when to come back (rate limits page; providers.md 2.5).
HEADERS: dict[tuple[str, str, str] | int, tuple[str, ...]] = {429: ("retry-after",)}
ERRORS: dict[int, Schema] = {
    401: BEARER_ERROR,
    404: {**ERROR, "properties": {**ERROR["properties"], "error": {"const": "RecordNotFound"}}},
    429: ERROR,
}
