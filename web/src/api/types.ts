// The API's shapes, as the server's schemas send them (entrypoints/http/controllers/*_schemas.py
// and the graph's msgspec structs). Times are ISO 8601 strings; ids are UUID strings.

export type Role = "owner" | "admin" | "member" | "viewer";

// -- identity ----------------------------------------------------------------------------------

/** GET /api/v1/tenants/current (and the profile's tenant). Pending: read-only until purge_after. */
export interface Workspace {
  id: string;
  name: string;
  region: string;
  created_at: string;
  status?: "active" | "pending_deletion";
  purge_after?: string | null;
}

export interface Profile {
  /** Until email_verified, inviting and connecting are refused (403 identity.email_unverified). */
  user: { id: string; email: string; name: string; email_verified: boolean; email_verified_at: string | null };
  tenant: Workspace;
  role: Role;
  tenants: { tenant_id: string; name: string; role: Role }[];
  /** Development only: the directory the server writes its emails to. */
  email_outbox?: string | null;
}

export interface Member {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  joined_at: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  created_at: string;
  expires_at: string;
}

/** GET /api/v1/auth/sessions (one row per signed-in device of this account). */
export interface SessionView {
  id: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
  current: boolean;
}

export interface ApiKeySummary {
  name: string;
  purpose: string;
  hint: string; // "****" and at most the last 4 characters
  created_by: string | null;
  created_at: string;
}

// -- integrations and sync ---------------------------------------------------------------------

export interface Provider {
  key: string;
  name: string;
  platform: string;
  available: boolean;
  scopes: string[];
  permissions: { scope: string; reads: string }[]; // each scope, with what Atlas reads with it
  reads: string;
  never_stores: string;
  needs_subdomain: boolean;
  pkce: boolean;
  revocable: boolean;
  revocation_note: string | null;
  personal: boolean;
}

export interface Started {
  connection_id: string;
  provider: string;
  authorization_url: string; // the app's confirmation page for this start
  start_ticket: string;
  provider_authorization_url: string;
  expires_at: string;
}

export type ConnectionStatus = "active" | "needs_reauth" | "revoked" | "error";
export type RunStatus = "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";

export interface StreamView {
  stream: string;
  pages: number;
  fetched: number;
  records_new: number;
  records_changed: number;
  records_deleted: number;
  errors: number;
  position: string | null;
  cursor_age_seconds: number | null;
  finished_at: string | null;
}

export interface Run {
  id: string;
  connection_id: string;
  provider: string;
  trigger: "schedule" | "manual";
  status: RunStatus;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  attempts: number;
  error: string | null;
  resume_at: string | null;
  fetched: number;
  records_new: number;
  records_changed: number;
  records_deleted: number;
  streams: StreamView[];
}

export interface SyncView {
  backfill_days: number;
  next_run_at: string | null;
  last_success_at: string | null;
  latest_run: Run | null;
}

export interface Connection {
  id: string;
  provider: string;
  status: ConnectionStatus;
  scopes_requested: string[];
  scopes_granted: string[];
  needs_review: boolean;
  external_account: string | null;
  subdomain: string | null;
  created_at: string;
  updated_at: string;
  last_refresh_at: string | null;
  last_error: string | null;
  revocation: string | null;
  personal: boolean;
  shared: boolean;
  sync?: SyncView | null;
}

export interface Disconnected {
  connection: Connection;
  purged: { entities?: number; activities?: number; [key: string]: number | undefined } | null;
}

export interface TenantConnection {
  id: string;
  provider: string;
  personal: boolean;
  shared: boolean;
  status: ConnectionStatus;
  owner: { user_id: string; name: string; email: string };
  created_at: string;
}

// -- graph -------------------------------------------------------------------------------------

export type AttributeValue = string | number | boolean | null;

export interface SourceRef {
  provider: string;
  scope: string;
  source_id: string;
}

export interface Entity {
  id: string;
  ref: SourceRef;
  type: string;
  name: string | null;
  attributes: { name: string; value: AttributeValue; at?: string | null }[];
  source_url: string | null;
  canonical_id: string;
}

export interface Relationship {
  source_id: string;
  target_id: string;
  qualifier: string;
}

export interface MergeRecord {
  id: string;
  survivor: string;
  absorbed: string;
  members: string[];
  key: { kind: "email" | "user" | "account" | "domain"; value: string };
  merged_at: string;
  undone_at: string | null;
}

export interface Activity {
  id: string;
  ref: SourceRef;
  type: string;
  occurred_at: string;
  source_seq: number;
  actor_id: string | null;
  attributes: Record<string, AttributeValue>;
  objects: { entity_id: string; qualifier: string }[];
  source_url: string | null;
}

export interface EntityPage {
  entities: Entity[];
  next_cursor: string | null;
}

export interface ActivityPage {
  activities: Activity[];
  next_cursor: string | null;
}

export interface EntityDetail {
  entity: Entity;
  members: Entity[];
  relationships: Relationship[];
  merges: MergeRecord[];
  timeline: Activity[];
}

/** GET /api/v1/graph/{entities|activities}/{id}/original: the provider's JSON, untouched. */
export interface Original {
  provider: string;
  source_id: string;
  kind: string;
  original: unknown;
}

export interface ImportSummary {
  id: string;
  format: "xes" | "ocel";
  scope: string;
  bytes: number;
  events: number;
  seconds: number;
  written: Record<string, number>;
}

/** POST /api/v1/graph/imports (202) and GET /api/v1/graph/imports/{id}: an import run by a worker. */
export interface ImportStatus {
  id: string;
  state: "queued" | "running" | "succeeded" | "failed";
  file_name: string;
  object_type: string;
  total_bytes: number;
  bytes_read: number;
  events: number;
  attempts: number;
  code: string | null;
  failure: { code: string; message: string; details: Record<string, unknown> } | null;
  summary: ImportSummary | null;
}

// -- compliance --------------------------------------------------------------------------------

/** DELETE /api/v1/tenants/current and POST …/restore. */
export interface WorkspaceDeletion {
  status: "active" | "pending_deletion";
  purge_after: string | null;
}

/** One link of the audit chain (GET /api/v1/audit); erased values are empty strings. */
export interface AuditEvent {
  seq: number;
  at: string;
  at_us: number;
  actor_type: string; // "user" | "system"
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  outcome: string; // "success" | "failure" | "denied"
  request_id: string;
  address: string;
  details: Record<string, string>;
  prev_hash: string;
  hash: string;
}

export interface AuditPage {
  items: AuditEvent[];
  next_cursor: string | null;
}
