// Stable codes from the server, in plain words: OAuth return reasons, connection and run
// states, sync and import error codes. Pure, so every mapping is tested without a DOM.
import type { ConnectionStatus, Role } from "../api/types";

export const PROVIDER_NAMES: Record<string, string> = {
  salesforce: "Salesforce",
  hubspot: "HubSpot",
  gmail: "Gmail",
  google_calendar: "Google Calendar",
  slack: "Slack",
  zendesk: "Zendesk",
  jira: "Jira",
};

export function providerName(key: string | null | undefined): string {
  if (!key) return "The provider";
  return PROVIDER_NAMES[key] ?? key.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

// -- the consent round trip: /connections?connection=…&outcome=…&reason=… ----------------------

const REASONS: Record<string, string> = {
  access_denied: "You declined the request at {p}, so nothing was connected.",
  provider_error: "{p} reported a problem while asking for your consent, so nothing was connected.",
  provider_unavailable:
    "{p} could not be reached, or is no longer set up on this Atlas. Try again in a few minutes.",
  issuer_mismatch: "The answer did not come from {p} as expected, so Atlas refused it to keep you safe.",
  code_missing: "{p} sent you back without the authorization Atlas needs.",
  exchange_refused: "{p} refused to complete the connection. Try again; if it keeps failing, ask your administrator.",
  scopes_missing:
    "Not every permission Atlas asks for was granted, so nothing was kept. Try again and leave every permission ticked.",
  storage_failed: "Atlas could not store the connection. Nothing was kept; try again.",
  state_missing: "The answer from {p} was incomplete. Start again from Integrations.",
  state_unknown: "Atlas did not recognise this consent. Start again from Integrations.",
  state_reused: "This consent was already used once. Start again from Integrations.",
  state_expired: "The consent took longer than 10 minutes and expired. Start again.",
  platform_mismatch: "The answer came back for a different provider than the one you started. Start again.",
  session_mismatch:
    "The consent finished in a different browser than the one that started it (or cookies were blocked). Start again in this browser.",
  session_missing:
    "This browser did not keep the sign-in cookie for the consent (cookies may be blocked). Allow cookies for Atlas and start again.",
  ticket_invalid: "The connect link expired or was already used (it works once, for 5 minutes). Start again.",
};

export interface OAuthReturn {
  ok: boolean;
  title: string;
  message: string;
}

export function oauthReturn(outcome: string, reason: string | null, provider: string | null): OAuthReturn {
  const name = providerName(provider);
  if (outcome === "connected") {
    return { ok: true, title: `${provider ? name : "Your source"} is connected — the first sync has started`, message: "" };
  }
  const template = (reason && REASONS[reason]) || `Connecting did not finish (${reason || "no reason given"}). Try again.`;
  const title = outcome === "denied" ? "Access was not granted" : "The connection did not finish";
  return { ok: false, title, message: template.replace(/\{p\}/g, provider ? name : "The provider") };
}

// -- connection status -------------------------------------------------------------------------

export type Tone = "ok" | "warn" | "bad" | "busy" | "neutral";

export interface StatusBadge {
  /** The stable value for data-status. */
  key: "connected" | "syncing" | "needs-reauth" | "error" | "revoked" | "unknown";
  words: string;
  tone: Tone;
}

export function connectionBadge(status: ConnectionStatus | string, syncing = false): StatusBadge {
  if (status === "active" && syncing) return { key: "syncing", words: "Syncing", tone: "busy" };
  switch (status) {
    case "active":
      return { key: "connected", words: "Connected", tone: "ok" };
    case "needs_reauth":
      return { key: "needs-reauth", words: "Needs re-authentication", tone: "warn" };
    case "error":
      return { key: "error", words: "Error", tone: "bad" };
    case "revoked":
      return { key: "revoked", words: "Disconnected", tone: "neutral" };
    default:
      return { key: "unknown", words: String(status), tone: "neutral" };
  }
}

export function runStatusWords(status: string): string {
  return (
    {
      queued: "Queued",
      running: "Running",
      waiting: "Waiting",
      succeeded: "Succeeded",
      failed: "Failed",
      cancelled: "Cancelled",
    }[status] ?? status
  );
}

export function runIsActive(status: string | null | undefined): boolean {
  return status === "queued" || status === "running" || status === "waiting";
}

// -- why a sync stopped or waits, and what fixes it ---------------------------------------------

export type Fix = "reconnect" | "sync" | "wait" | null;

export interface Explained {
  message: string;
  fix: Fix;
}

const GRANT_GONE = /invalid_grant|token_revoked|invalid_auth|needs_reauth|dead_grant|grant_rejected|connection_revoked|not_usable|unauthori[sz]ed|http_401|bad_refresh_token|account_inactive/i;
const THROTTLED = /429|throttl|rate.?limit|limit_exceeded|retry_later|allowance|quota|too_many/i;

export function isRateLimited(reason: string | null | undefined): boolean {
  return Boolean(reason && THROTTLED.test(reason));
}

/** A run's error (or a waiting run's reason) for the connection of ``provider``. */
export function explainRunError(code: string | null | undefined, provider?: string | null): Explained | null {
  if (!code) return null;
  const p = providerName(provider);
  if (GRANT_GONE.test(code)) {
    return { message: `${p} no longer accepts this connection. Reconnect it to resume syncing.`, fix: "reconnect" };
  }
  if (code === "worker_stopped") {
    return { message: "Atlas restarted during the sync; it carries on by itself.", fix: "wait" };
  }
  if (THROTTLED.test(code)) {
    return { message: `${p} asked Atlas to slow down (its rate limit); the sync carries on later by itself.`, fix: "wait" };
  }
  if (code.startsWith("unavailable:") || /network|timeout|http_5\d\d|unreachable|page_token|query_locator/.test(code)) {
    return { message: `${p} could not be reached after several attempts. Try syncing again later.`, fix: "sync" };
  }
  if (code.startsWith("refused:")) {
    return { message: `${p} refused a request, so the sync stopped. Try syncing again; if it fails again, contact support with the code ${code}.`, fix: "sync" };
  }
  return { message: `The sync stopped (${code}). Try syncing again.`, fix: "sync" };
}

// -- imports -----------------------------------------------------------------------------------

const IMPORT_ERRORS: Record<string, string> = {
  "graph.import_invalid": "The file is not a valid event log.",
  "graph.import_malformed": "The file is truncated or is not well-formed. Export it again and retry.",
  "graph.import_forbidden_markup": "The file declares a document type or entities, which imports refuse for safety. Remove the DOCTYPE and retry.",
  "graph.import_invalid_value": "A value in the file is missing or has the wrong type.",
  "graph.import_over_limit": "One part of the file is larger than an import accepts. Split the log and import the parts.",
  "graph.import_too_large": "The file is larger than the import limit (512 MiB, 1 GiB once decompressed).",
  "graph.import_unsupported_format": "Only OCEL 2.0 JSON and XES files (optionally gzipped) can be imported.",
  "graph.invalid_import_id": "The upload was not named correctly. Reload the page and retry.",
  "graph.imports_busy": "Atlas is running as many imports as it can at once. Try again in a few minutes.",
  "auth.role_required": "Only owners and admins can import files. Ask one of them to import it.",
};

export function importErrorWords(code: string | null | undefined): string {
  if (!code) return "The import failed.";
  return IMPORT_ERRORS[code] ?? `The import failed (${code}).`;
}

// -- people ------------------------------------------------------------------------------------

export const ROLES: Role[] = ["owner", "admin", "member", "viewer"];

export function roleWords(role: string): string {
  return (
    {
      owner: "Owner",
      admin: "Admin",
      member: "Member",
      viewer: "Viewer",
    }[role] ?? role
  );
}

export function roleHint(role: string): string {
  return (
    {
      owner: "Everything, including granting the owner role",
      admin: "Manages members, connections, API keys and imports",
      member: "Connects their own tools and reads the maps",
      viewer: "Reads the maps; connects and changes nothing",
    }[role] ?? ""
  );
}

export function managesMembers(role: string | undefined): boolean {
  return role === "owner" || role === "admin";
}

export function securityAlertWords(alert: string): string {
  if (alert === "sign_in") return "New sign-in";
  if (alert === "refresh_token_reused") return "A session's refresh token was reused (possible theft): that session was ended";
  return alert;
}

// -- passwords (identity_schemas.py / domain/identity/password.py) ------------------------------

export const PASSWORD_MIN_CHARACTERS = 12;
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_HINT = `At least ${PASSWORD_MIN_CHARACTERS} characters, and at most ${PASSWORD_MAX_BYTES} bytes (about 72 letters; fewer with accents or emoji). A passphrase of a few words works well.`;

/** Why a new password would be refused, or null when it meets the server's rules. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < PASSWORD_MIN_CHARACTERS) {
    return `The password needs at least ${PASSWORD_MIN_CHARACTERS} characters.`;
  }
  if (new TextEncoder().encode(password).length > PASSWORD_MAX_BYTES) {
    return `The password is longer than ${PASSWORD_MAX_BYTES} bytes; shorten it.`;
  }
  return null;
}

/** "email_thread" → "Email thread"; "deal.stage_changed" → "Deal stage changed". */
export function humanize(code: string): string {
  const text = code.replace(/[._:-]+/g, " ").trim();
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : code;
}
