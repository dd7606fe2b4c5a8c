"""The SQL of migration 0014 (GDPR erasure): the functions that erase a person, kept apart from
the migration only for length. Migrations are history: never change this text; a later
migration replaces a function with ``CREATE OR REPLACE`` instead.

``erasure_apply`` is the one body: ``erase_current_user`` (the ``DELETE /me`` transaction) and
``apply_erasures`` (after a restore) both run it, so what an erasure removes and what a
restore removes again cannot drift apart.
"""

from __future__ import annotations

from adapters.postgres.roles import SCHEMA

S = SCHEMA
NIL = "00000000-0000-0000-0000-000000000000"  # stands for "an erased member" in kept rows

# The person's records in their own (personal, unshared) sources, as if they had never come.
# Clusters that a private record anchored fall back to their own records (each its own
# canonical), and the maps of the tenants touched are rebuilt (generation = revision).
_PRIVATE_RECORDS = f"""
    v_private := ARRAY(SELECT e.entity_id FROM {S}.graph_entities e
                       WHERE e.private_to = p_user);
    v_graph_tenants := ARRAY(
        SELECT e.tenant_id FROM {S}.graph_entities e WHERE e.private_to = p_user
        UNION SELECT a.tenant_id FROM {S}.graph_activities a WHERE a.private_to = p_user);
    DELETE FROM {S}.graph_merges m
     WHERE m.private_to = p_user OR m.survivor_id = ANY(v_private)
        OR m.absorbed_id = ANY(v_private);
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    DELETE FROM {S}.graph_sequences s WHERE s.object_id = ANY(v_private);
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    UPDATE {S}.graph_entities o SET canonical_id = o.entity_id
     WHERE o.canonical_id = ANY(v_private) AND NOT o.entity_id = ANY(v_private);
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    DELETE FROM {S}.graph_activities a WHERE a.private_to = p_user;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    DELETE FROM {S}.graph_entities e WHERE e.private_to = p_user;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    UPDATE {S}.graph_versions v SET generation = v.revision
     WHERE v.tenant_id = ANY(v_graph_tenants);
"""

# The person as others' records name them (a CRM owner, a Slack member, a colleague's
# correspondent): every record of a person cluster holding their email address, in the tenants
# they belonged to, keeps its id (process maps still count it) and loses everything that says
# who it was. While an account with that address exists (the person signed up again), only
# the ids already on the list are matched, never the address.
_PEOPLE = f"""
    v_by_email := NOT EXISTS (SELECT 1 FROM {S}.users u WHERE u.user_id <> p_user
        AND pg_catalog.sha256(pg_catalog.convert_to(u.email, 'UTF8')) = p_email);
    v_people := ARRAY(
        SELECT DISTINCT e.entity_id FROM {S}.graph_entities e
        WHERE e.tenant_id = ANY(v_tenants) AND e.type = 'person'
          AND (e.tenant_id, e.canonical_id) IN (
            SELECT h.tenant_id, h.canonical_id FROM {S}.graph_entities h
            WHERE h.tenant_id = ANY(v_tenants) AND (h.entity_id = ANY(p_entities) OR (
              v_by_email AND EXISTS (SELECT 1 FROM {S}.graph_entity_keys k
                WHERE k.tenant_id = h.tenant_id AND k.entity_id = h.entity_id
                  AND k.kind = 'email'
                  AND pg_catalog.sha256(pg_catalog.convert_to(k.value, 'UTF8')) = p_email)))));
    v_keys := ARRAY(SELECT k.value FROM {S}.graph_entity_keys k
                    WHERE k.tenant_id = ANY(v_tenants) AND k.entity_id = ANY(v_people));
    UPDATE {S}.graph_merges m SET key_value = 'erased'
     WHERE m.tenant_id = ANY(v_tenants) AND m.key_value <> 'erased'
       AND (m.key_value = ANY(v_keys) OR (v_by_email AND m.key_kind = 'email'
            AND pg_catalog.sha256(pg_catalog.convert_to(m.key_value, 'UTF8')) = p_email));
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    DELETE FROM {S}.graph_entity_keys k
     WHERE k.tenant_id = ANY(v_tenants) AND k.entity_id = ANY(v_people);
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    UPDATE {S}.graph_entities e SET
        name = 'erased-' || pg_catalog.left(pg_catalog.encode(pg_catalog.sha256(
            pg_catalog.convert_to(e.canonical_id::text, 'UTF8')), 'hex'), 12),
        attributes = '[]'::jsonb, url = NULL, source_id = 'erased:' || e.entity_id::text
     WHERE e.tenant_id = ANY(v_tenants) AND e.entity_id = ANY(v_people)
       AND e.source_id IS DISTINCT FROM 'erased:' || e.entity_id::text;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    UPDATE {S}.erasures r SET entity_ids = ARRAY(
            SELECT DISTINCT x FROM pg_catalog.unnest(r.entity_ids || v_people) x ORDER BY x),
        tenant_ids = v_tenants
     WHERE r.user_id = p_user AND NOT (r.entity_ids @> v_people AND r.tenant_ids @> v_tenants);
"""

# Everything else that names the person: their own rows go; rows kept for others (a feed
# event announcing them, an invitation they sent) name "an erased member" instead.
_OWN_ROWS = f"""
    DELETE FROM {S}.security_events x WHERE x.user_id = p_user;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    DELETE FROM {S}.original_retrievals x WHERE x.user_id = p_user;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    DELETE FROM {S}.tenant_events x WHERE x.private_to = p_user;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    UPDATE {S}.tenant_events x
       SET data = pg_catalog.replace(x.data::text, p_user::text, '{NIL}')::jsonb
     WHERE pg_catalog.strpos(x.data::text, p_user::text) > 0;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    DELETE FROM {S}.invitations x WHERE v_by_email
       AND pg_catalog.sha256(pg_catalog.convert_to(x.email, 'UTF8')) = p_email;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    UPDATE {S}.invitations x SET invited_by = '{NIL}' WHERE x.invited_by = p_user;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    UPDATE {S}.api_keys x SET created_by = NULL WHERE x.created_by = p_user;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    DELETE FROM atlas_jobs.pgqueuer j
     WHERE pg_catalog.position(j.payload, pg_catalog.convert_to(p_user::text, 'UTF8')) > 0;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    UPDATE atlas_jobs.pgqueuer_log j
       SET traceback = pg_catalog.replace(j.traceback::text, p_user::text, '{NIL}')::jsonb
     WHERE pg_catalog.strpos(j.traceback::text, p_user::text) > 0;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    -- The audit trail keeps what happened and loses who: values naming them become empty and
    -- lose their salts; the chain hashed their seals, so it still verifies (migration 0013).
    PERFORM pg_catalog.set_config('atlas.redacting_subject', p_user::text, true);
    UPDATE {S}.audit_events x SET
        actor_id = CASE WHEN x.actor_id = p_user::text THEN '' ELSE x.actor_id END,
        actor_salt = CASE WHEN x.actor_id = p_user::text THEN NULL ELSE x.actor_salt END,
        target_id = CASE WHEN x.target_id = p_user::text THEN '' ELSE x.target_id END,
        target_salt = CASE WHEN x.target_id = p_user::text THEN NULL ELSE x.target_salt END,
        address = CASE WHEN x.actor_id = p_user::text THEN '' ELSE x.address END,
        address_salt = CASE WHEN x.actor_id = p_user::text THEN NULL ELSE x.address_salt END
     WHERE x.tenant_id = ANY(v_tenants)
       AND (x.actor_id = p_user::text OR x.target_id = p_user::text);
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    PERFORM pg_catalog.set_config('atlas.redacting_subject', '', true);
    -- Their memberships take their connections, sealed tokens, sync state, OAuth flows and
    -- sign-in sessions along (foreign keys cascade); the account takes its credentials.
    DELETE FROM {S}.memberships x WHERE x.user_id = p_user;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
    DELETE FROM {S}.users x WHERE x.user_id = p_user;
    GET DIAGNOSTICS v_n = ROW_COUNT; v_total := v_total + v_n;
"""

ERASURE_APPLY = f"""
CREATE FUNCTION {S}.erasure_apply(
    p_user uuid, p_email bytea, p_tenants uuid[], p_entities uuid[])
RETURNS bigint LANGUAGE plpgsql VOLATILE SET search_path = '' AS $$
DECLARE
    v_total bigint := 0;
    v_n bigint;
    v_tenants uuid[];
    v_graph_tenants uuid[];
    v_private uuid[];
    v_people uuid[];
    v_keys text[];
    v_by_email boolean;
BEGIN
    v_tenants := ARRAY(
        SELECT t FROM pg_catalog.unnest(p_tenants) t
        UNION SELECT m.tenant_id FROM {S}.memberships m WHERE m.user_id = p_user
        ORDER BY 1);
{_PRIVATE_RECORDS}
{_PEOPLE}
{_OWN_ROWS}
    RETURN v_total;
END $$"""

APPLY_ERASURES = f"""
CREATE FUNCTION {S}.apply_erasures()
RETURNS bigint LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    r record;
    v_total bigint := 0;
BEGIN
    FOR r IN SELECT e.user_id, e.email_sha256, e.tenant_ids, e.entity_ids
             FROM {S}.erasures e ORDER BY e.erased_at, e.user_id LOOP
        v_total := v_total + {S}.erasure_apply(
            r.user_id, r.email_sha256, r.tenant_ids, r.entity_ids);
    END LOOP;
    RETURN v_total;
END $$"""

# A restore brings back the list as it was when the backup was taken; the deployment's list
# is newer. ``atlas restore`` hands the newer list over (a JSON array of the list's rows, as
# the backup role reads it from the live database) before re-applying: rows are added, and a
# person already listed keeps the union of both lists' tenants and records.
MERGE_ERASURES = f"""
CREATE FUNCTION {S}.merge_erasures(p_list jsonb)
RETURNS bigint LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    v_n bigint;
BEGIN
    INSERT INTO {S}.erasures AS r (user_id, email_sha256, tenant_ids, entity_ids, erased_at)
    SELECT (x->>'user_id')::uuid, pg_catalog.decode(x->>'email_sha256', 'hex'),
           ARRAY(SELECT pg_catalog.jsonb_array_elements_text(x->'tenant_ids'))::uuid[],
           ARRAY(SELECT pg_catalog.jsonb_array_elements_text(x->'entity_ids'))::uuid[],
           (x->>'erased_at')::timestamptz
    FROM pg_catalog.jsonb_array_elements(p_list) x
    ON CONFLICT (user_id) DO UPDATE SET
        tenant_ids = ARRAY(SELECT DISTINCT t FROM pg_catalog.unnest(
            r.tenant_ids || EXCLUDED.tenant_ids) t ORDER BY t),
        entity_ids = ARRAY(SELECT DISTINCT e FROM pg_catalog.unnest(
            r.entity_ids || EXCLUDED.entity_ids) e ORDER BY e)
    WHERE NOT (r.tenant_ids @> EXCLUDED.tenant_ids AND r.entity_ids @> EXCLUDED.entity_ids);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END $$"""

# The caller erases themselves: the user comes from the transaction's context (set from a
# verified access token, after re-authentication), never from an argument. The tenants the
# person owns are locked first, as every membership change locks its tenant, so no other
# owner can be demoted or removed meanwhile; a sole owner is refused (SQLSTATE AT409).
ERASE_CURRENT_USER = f"""
CREATE FUNCTION {S}.erase_current_user(p_at timestamptz)
RETURNS bigint LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    v_user uuid := NULLIF(pg_catalog.current_setting('app.user_id', true), '')::uuid;
    v_email text;
    v_tenants uuid[];
BEGIN
    IF v_user IS NULL THEN
        RAISE EXCEPTION 'no user in context' USING ERRCODE = '42501';
    END IF;
    SELECT u.email INTO v_email FROM {S}.users u WHERE u.user_id = v_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such account' USING ERRCODE = 'AT404';
    END IF;
    PERFORM 1 FROM {S}.tenants t WHERE t.tenant_id IN (
        SELECT m.tenant_id FROM {S}.memberships m WHERE m.user_id = v_user)
        ORDER BY t.tenant_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM {S}.memberships m
               WHERE m.user_id = v_user AND m.role = 'owner'
                 AND NOT EXISTS (SELECT 1 FROM {S}.memberships o
                                 WHERE o.tenant_id = m.tenant_id AND o.role = 'owner'
                                   AND o.user_id <> v_user)) THEN
        RAISE EXCEPTION 'sole owner of a tenant' USING ERRCODE = 'AT409';
    END IF;
    v_tenants := ARRAY(SELECT m.tenant_id FROM {S}.memberships m
                       WHERE m.user_id = v_user ORDER BY 1);
    INSERT INTO {S}.erasures (user_id, email_sha256, tenant_ids, erased_at)
    VALUES (v_user, pg_catalog.sha256(pg_catalog.convert_to(v_email, 'UTF8')), v_tenants, p_at)
    ON CONFLICT (user_id) DO NOTHING;
    RETURN {S}.erasure_apply(
        v_user, pg_catalog.sha256(pg_catalog.convert_to(v_email, 'UTF8')), v_tenants, '{{}}');
END $$"""
