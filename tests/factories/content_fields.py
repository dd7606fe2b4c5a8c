"""Content field names as the providers spell them, written from their documentation.

Kept apart from ``domain/graph/content.py`` on purpose: the filter's tests draw from this list,
so a word missing from the filter's own vocabulary fails a test instead of being missed by a
test built from that same vocabulary. Sources: ``reference/providers.md`` (the data policy and
each provider's "never store" notes) and the specs in ``reference/specs/`` (Gmail, Calendar,
Slack), plus the public field references of Salesforce, HubSpot, Zendesk and Jira.
"""

from __future__ import annotations

# The data policy's own words: never store these.
POLICY = (
    "email body", "snippet", "subject", "message text", "attachments", "event title",
    "description", "comments",
)  # fmt: skip

PROVIDER_FIELDS = {
    # Gmail v1 (discovery: Message.snippet, Message.raw, MessagePart.body, headers Subject).
    "gmail": ("snippet", "raw", "payload", "payload.body", "body.data", "Subject"),
    # Calendar v3 (discovery: Event.summary, description, attachments).
    "calendar": ("summary", "description", "attachments", "location.description"),
    # Slack Web API (message objects: text, blocks, attachments, files).
    "slack": ("text", "blocks", "attachments", "rich_text", "files.title", "message.text"),
    # Salesforce sObjects: Task/Event Subject and Description; EmailMessage bodies; comments.
    "salesforce": ("Subject", "Description", "TextBody", "HtmlBody", "CommentBody", "Body"),
    # HubSpot engagement properties.
    "hubspot": (
        "hs_email_subject", "hs_email_text", "hs_email_html", "hs_meeting_body",
        "hs_note_body", "hs_call_body", "hs_body_preview", "hs_meeting_title",
    ),
    # Zendesk tickets and comments.
    "zendesk": ("subject", "description", "raw_subject", "comment.body", "html_body", "plain_body"),
    # Jira issue fields.
    "jira": ("summary", "description", "comment", "environment", "fields.summary"),
}  # fmt: skip


def content_fields() -> list[str]:
    """Every documented content field name, the policy's words included."""
    names = [name for fields in PROVIDER_FIELDS.values() for name in fields]
    return sorted({*POLICY, *names})
