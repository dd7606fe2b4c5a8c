"""The registry of a personal export: one section per kind of row Atlas keeps about a person,
each read by one query in the person's scope, and the tables deliberately left out, with why.

Adding a section is one entry. The completeness test lists every table of the schema with a
column that names a person (``PERSON_COLUMNS``) and fails for one that is neither covered by a
section nor excluded here: a new table holding personal data cannot ship unexported.
Secrets never cross: no token, digest, hash, sealed value or key is selected by any query.
"""

from __future__ import annotations

from typing import NamedTuple


class Section(NamedTuple):
    tables: tuple[str, ...]  # the tables whose rows about the person this section carries
    # Bind parameters: :me (the user id), :email (their address), :tenant (the scope's tenant,
    # which every query names itself, beside row security).
    query: str


# Column names that name a person; the completeness test also flags any column containing
# "user", "actor" or "email", or ending in "_by".
PERSON_COLUMNS = frozenset({"user_id", "private_to", "created_by", "invited_by", "email"})

_PEOPLE = """(SELECT e.entity_id FROM atlas.graph_entities e
    WHERE e.tenant_id = :tenant AND e.type = 'person' AND e.canonical_id IN (
        SELECT h.canonical_id FROM atlas.graph_entity_keys k
        JOIN atlas.graph_entities h ON h.tenant_id = k.tenant_id AND h.entity_id = k.entity_id
        WHERE k.tenant_id = :tenant AND (k.private_to IS NULL OR k.private_to = :me)
          AND (h.private_to IS NULL OR h.private_to = :me)
          AND k.kind = 'email' AND k.value = :email))"""
_ENTITY = """SELECT e.entity_id, e.type, e.name, e.provider, e.scope, e.source_id,
    e.attributes, e.url, e.canonical_id, e.private_to IS NOT NULL AS private,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('kind', k.kind, 'value', k.value)
                               ORDER BY k.kind, k.value), '[]')
     FROM atlas.graph_entity_keys k
     WHERE k.tenant_id = e.tenant_id AND k.entity_id = e.entity_id
       AND (k.private_to IS NULL OR k.private_to = :me)) AS keys
    FROM atlas.graph_entities e"""
_ACTIVITY = """SELECT a.activity_id, a.type, a.occurred_at, a.provider, a.scope, a.source_id,
    a.actor_id, a.attributes, a.objects, a.url, a.private_to IS NOT NULL AS private
    FROM atlas.graph_activities a"""

SECTIONS: dict[str, Section] = {
    "account": Section(
        # Of the credentials, only when the password last changed; of a pending verification
        # link, only when it was sent and when it expires (never its digest).
        ("users", "credentials", "email_verifications"),
        """SELECT u.user_id, u.email, u.name, u.created_at, u.disabled_at,
               u.email_verified_at, c.updated_at AS password_changed_at,
               v.created_at AS verification_sent_at, v.expires_at AS verification_expires_at
           FROM atlas.users u LEFT JOIN atlas.credentials c ON c.user_id = u.user_id
           LEFT JOIN atlas.email_verifications v ON v.user_id = u.user_id
           WHERE u.user_id = :me""",
    ),
    "memberships": Section(
        # Every tenant of theirs (across tenants by design: the definer function names the
        # person); the date joined for this one.
        ("memberships",),
        """SELECT o.tenant_id, o.tenant_name, o.role, m.created_at
           FROM atlas.memberships_of_current_user() o
           LEFT JOIN atlas.memberships m ON m.tenant_id = o.tenant_id AND m.user_id = :me
                 AND m.tenant_id = :tenant
           ORDER BY o.tenant_id""",
    ),
    "sessions": Section(
        ("refresh_families",),
        """SELECT family_id, created_at, last_used_at, expires_at, revoked_at, revoked_reason
           FROM atlas.refresh_families WHERE tenant_id = :tenant AND user_id = :me
           ORDER BY created_at, family_id""",
    ),
    "security_events": Section(
        ("security_events",),
        """SELECT event_id, kind, family_id, client_address, user_agent, occurred_at
           FROM atlas.security_events WHERE tenant_id = :tenant AND user_id = :me
           ORDER BY occurred_at, event_id""",
    ),
    "connections": Section(
        ("connections",),
        """SELECT connection_id, provider, status, shared, subdomain, external_account,
               instance_url, scopes_requested, scopes_granted, created_at, updated_at,
               last_refresh_at, last_error, revocation
           FROM atlas.connections WHERE tenant_id = :tenant AND user_id = :me
           ORDER BY created_at, connection_id""",
    ),
    "sync_runs": Section(
        ("sync_runs", "sync_run_streams"),
        """SELECT r.run_id, r.connection_id, r.provider, r.trigger, r.status, r.requested_at,
               r.started_at, r.finished_at, r.attempts, r.error,
               (SELECT coalesce(jsonb_agg(to_jsonb(s) - 'tenant_id' - 'user_id' - 'run_id'
                                          ORDER BY s.stream), '[]')
                FROM atlas.sync_run_streams s
                WHERE s.tenant_id = r.tenant_id AND s.run_id = r.run_id) AS streams
           FROM atlas.sync_runs r WHERE r.tenant_id = :tenant AND r.user_id = :me
           ORDER BY r.requested_at, r.run_id""",
    ),
    "sync_schedules": Section(
        ("sync_schedules",),
        """SELECT connection_id, backfill_days, next_run_at, last_run_id, last_success_at
           FROM atlas.sync_schedules WHERE tenant_id = :tenant AND user_id = :me
           ORDER BY connection_id""",
    ),
    "audit_events": Section(
        ("audit_events",),  # what they did, and what was done to them, in this tenant
        """SELECT seq, at, actor_type, actor_id, action, target_type, target_id, outcome,
               request_id, address, details
           FROM atlas.audit_events
           WHERE tenant_id = :tenant AND (actor_id = CAST(CAST(:me AS uuid) AS text)
              OR target_id = CAST(CAST(:me AS uuid) AS text))
           ORDER BY seq""",
    ),
    "tenant_deletions": Section(
        ("tenants",),  # a deletion of this tenant they asked for, while it is pending
        """SELECT tenant_id, deletion_requested_at, purge_after FROM atlas.tenants
           WHERE tenant_id = :tenant AND deletion_requested_by = :me""",
    ),
    "original_retrievals": Section(
        ("original_retrievals",),
        """SELECT retrieval_id, record_kind, record_id, provider, scope, source_id, outcome,
               retrieved_at
           FROM atlas.original_retrievals WHERE tenant_id = :tenant AND user_id = :me
           ORDER BY retrieved_at, retrieval_id""",
    ),
    "private_entities": Section(
        ("graph_entities", "graph_entity_keys"),
        f"{_ENTITY} WHERE e.tenant_id = :tenant AND e.private_to = :me ORDER BY e.entity_id",
    ),
    "private_activities": Section(
        ("graph_activities",),
        f"{_ACTIVITY} WHERE a.tenant_id = :tenant AND a.private_to = :me "
        "ORDER BY a.occurred_at, a.activity_id",
    ),
    "private_relationships": Section(
        ("graph_relationships",),
        """SELECT source_id, target_id, qualifier FROM atlas.graph_relationships
           WHERE tenant_id = :tenant AND private_to = :me
           ORDER BY source_id, target_id, qualifier""",
    ),
    "private_merges": Section(
        ("graph_merges",),
        """SELECT merge_id, survivor_id, absorbed_id, members, key_kind, key_value,
               merged_at, undone_at
           FROM atlas.graph_merges WHERE tenant_id = :tenant AND private_to = :me
           ORDER BY merged_at, merge_id""",
    ),
    "person_records": Section(
        ("graph_entities", "graph_entity_keys"),  # how the tenant's sources name them
        f"{_ENTITY} WHERE e.tenant_id = :tenant AND e.private_to IS NULL "
        f"AND e.entity_id IN {_PEOPLE} ORDER BY e.entity_id",
    ),
    "actor_activities": Section(
        ("graph_activities",),  # what the tenant's shared sources record them doing
        f"{_ACTIVITY} WHERE a.tenant_id = :tenant AND a.private_to IS NULL "
        f"AND a.actor_id IN {_PEOPLE} "
        "ORDER BY a.occurred_at, a.activity_id",
    ),
    "notifications": Section(
        ("tenant_events",),
        """SELECT seq, kind, data, created_at FROM atlas.tenant_events
           WHERE tenant_id = :tenant AND private_to = :me ORDER BY seq""",
    ),
    "invitations": Section(
        ("invitations",),  # received, and sent (without the invitee's address: not theirs)
        """SELECT invitation_id,
               CASE WHEN email = :email THEN 'received' ELSE 'sent' END AS direction,
               CASE WHEN email = :email THEN email END AS email,
               role, created_at, expires_at, accepted_at, revoked_at
           FROM atlas.invitations WHERE tenant_id = :tenant AND (email = :email OR invited_by = :me)
           ORDER BY created_at, invitation_id""",
    ),
    "imports": Section(
        ("imports",),  # the event logs they imported (the record; the upload is gone by then)
        """SELECT import_id, file_name, object_type, bytes, state, code, requested_at, updated_at
           FROM atlas.imports WHERE tenant_id = :tenant AND requested_by = :me
           ORDER BY requested_at, import_id""",
    ),
    "api_keys": Section(
        ("api_keys",),
        """SELECT key_id, name, purpose, created_at FROM atlas.api_keys
           WHERE tenant_id = :tenant AND created_by = :me ORDER BY created_at, key_id""",
    ),
}

EXCLUDED: dict[str, str] = {
    "oauth_tokens": "sealed provider tokens: secrets, never exported; see connections",
    "refresh_tokens": "digests of sign-in tokens: secrets; their sessions are in sessions",
    "oauth_states": "a consent in flight (ten minutes at most): sealed verifiers and hashes",
    "sync_checkpoints": "opaque provider cursors: where a sync stands, nothing about anyone",
    "tenant_deletions": "the deployment's record of purged tenants, kept after a tenant is gone "
    "(operators' evidence, outside any tenant): the requesting owner's id, nothing else",
    "erasures": "the suppression list: ids of erased people, who have no account to export",
}


def covered_tables() -> frozenset[str]:
    return frozenset(t for section in SECTIONS.values() for t in section.tables)
