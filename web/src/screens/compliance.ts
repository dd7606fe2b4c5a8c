// The audit log and the organisation's deletion in plain words: actions, outcomes, who acted,
// the filters as query parameters, the pending-deletion notice. Pure, so tested without a DOM.
import { calendarDay } from "../api/problem";
import type { AuditEvent, Member } from "../api/types";
import { humanize, providerName, roleWords } from "./words";
import type { Tone } from "./words";

/** Every action the server records (domain/compliance/audit.py), in the order the filter lists them. */
export const AUDIT_ACTIONS: [string, string][] = [
  ["auth.sign_in", "Signed in"],
  ["auth.sign_in_failed", "Sign-in failed (wrong password)"],
  ["auth.refresh_reused", "Session ended after its sign-in was reused"],
  ["member.role_changed", "Changed a member's role"],
  ["member.removed", "Removed a member"],
  ["invitation.created", "Invited someone"],
  ["invitation.accepted", "Accepted an invitation"],
  ["invitation.revoked", "Withdrew an invitation"],
  ["connection.made", "Connected a source"],
  ["connection.needs_reauth", "A connection needs signing in again"],
  ["connection.shared", "Shared a source with the organisation"],
  ["connection.unshared", "Stopped sharing a source"],
  ["connection.disconnected", "Disconnected a source"],
  ["connection.purged", "Removed a source's records"],
  ["sync.requested", "Started a sync"],
  ["import.started", "Started a file import"],
  ["import.finished", "Finished a file import"],
  ["export.created", "Exported the process data"],
  ["original.retrieved", "Opened a record's original"],
  ["api_key.created", "Stored an API key"],
  ["api_key.deleted", "Deleted an API key"],
  ["vault.reencrypted", "Re-encrypted stored keys"],
  ["vault.key_rotated", "Rotated the encryption key"],
  ["vault.key_retired", "Retired an old encryption key"],
  ["data.exported", "Downloaded data"],
  ["data.erased", "A member deleted their account"],
  ["tenant.created", "Created the organisation"],
  ["tenant.deletion_requested", "Asked to delete the organisation"],
  ["tenant.deletion_cancelled", "Restored the organisation"],
  ["backup.restored", "Restored from a backup"],
];
const ACTION_WORDS = new Map(AUDIT_ACTIONS);

export function auditActionWords(action: string, details: Record<string, string> = {}): string {
  if (action === "data.exported") {
    if (details.kind === "personal") return "Downloaded their personal data";
    if (details.kind === "tenant") return "Exported the organisation";
  }
  return ACTION_WORDS.get(action) ?? humanize(action);
}

export const OUTCOMES: [string, string, Tone][] = [
  ["success", "Succeeded", "ok"],
  ["failure", "Failed", "bad"],
  ["denied", "Refused", "warn"],
];

export function outcomeBadge(outcome: string): { words: string; tone: Tone } {
  const found = OUTCOMES.find(([value]) => value === outcome);
  return found ? { words: found[1], tone: found[2] } : { words: humanize(outcome), tone: "neutral" };
}

/** Who acted: the member's name while they belong here; Atlas itself; or someone gone. */
export function actorName(event: Pick<AuditEvent, "actor_type" | "actor_id">, members: Map<string, Member>): string {
  if (event.actor_type === "system") return "Atlas (system)";
  if (!event.actor_id) return "Erased member";
  const member = members.get(event.actor_id);
  if (member) return member.name || member.email;
  return "Former member";
}

const TARGETS: Record<string, string> = {
  user: "Member",
  member: "Member",
  session: "Session",
  invitation: "Invitation",
  connection: "Connection",
  source_scope: "Source",
  sync: "Sync",
  import: "Import",
  graph: "Process data",
  api_key: "API key",
  sealed_values: "Stored keys",
  tenant: "Organisation",
  entity: "Record",
  activity: "Record",
};

/** What the action was done to, in words: a member by name, anything else by kind. */
export function targetWords(event: Pick<AuditEvent, "target_type" | "target_id" | "details">, members: Map<string, Member>): string {
  const kind = event.target_type ? TARGETS[event.target_type] ?? humanize(event.target_type) : "";
  if (!kind) return "—";
  if (event.target_type === "user" || event.target_type === "member") {
    if (!event.target_id) return "Erased member";
    const member = members.get(event.target_id);
    return member ? `${kind}: ${member.name || member.email}` : "Former member";
  }
  if (event.target_type === "api_key" && event.details.name) return `${kind}: ${event.details.name}`;
  if (event.target_type === "connection" && event.details.provider) return `${kind}: ${providerName(event.details.provider)}`;
  return kind;
}

/** The details worth a line: a role change, a provider, a failure's code. */
export function detailWords(details: Record<string, string>): string {
  const parts: string[] = [];
  if (details.from && details.to) parts.push(`from ${roleWords(details.from)} to ${roleWords(details.to)}`);
  if (details.role) parts.push(`as ${roleWords(details.role)}`);
  for (const [key, value] of Object.entries(details)) {
    // Already said: in the action, the target, or the role above.
    if (["kind", "name", "provider", "from", "to", "role"].includes(key)) continue;
    parts.push(`${humanize(key)}: ${value}`);
  }
  return parts.join("; ");
}

export interface AuditFilters {
  action: string;
  outcome: string;
  since: string; // yyyy-mm-dd from a date input, or ""
  until: string; // yyyy-mm-dd, the last day included, or ""
}

export const NO_FILTERS: AuditFilters = { action: "", outcome: "", since: "", until: "" };

/** The start of a local calendar day as an instant, or null for an empty or invalid value. */
function localDay(value: string, plusDays = 0): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + plusDays);
  return Number.isFinite(date.getTime()) ? date : null;
}

/** The filters as GET /api/v1/audit's query: days in the reader's time zone, "until" inclusive. */
export function auditQuery(filters: AuditFilters): Record<string, string> {
  const query: Record<string, string> = {};
  if (filters.action) query.action = filters.action;
  if (filters.outcome) query.outcome = filters.outcome;
  const since = localDay(filters.since);
  const until = localDay(filters.until, 1); // the server's until is exclusive: the next midnight
  if (since) query.since = since.toISOString();
  if (until) query.until = until.toISOString();
  return query;
}

/** Why the dates cannot be asked for, or null. */
export function filterProblem(filters: AuditFilters): string | null {
  const since = localDay(filters.since);
  const until = localDay(filters.until);
  if (since && until && since > until) return "The first day comes after the last day. Swap them, or clear one.";
  return null;
}

/** The notice on every screen while the organisation waits for its deletion. */
export function pendingNotice(purgeAfter: string | null | undefined, locale?: string, timeZone?: string): string {
  const day = purgeAfter ? calendarDay(purgeAfter, locale, timeZone) : "";
  return day
    ? `This organisation will be deleted on ${day}; it is read-only until then.`
    : "This organisation is scheduled for deletion; it is read-only until then.";
}
