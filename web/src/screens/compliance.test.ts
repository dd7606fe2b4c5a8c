import { describe, expect, it } from "vitest";
import { ApiError, calendarDay, describe as describeError, problemWords } from "../api/problem";
import { attachmentName } from "../api/client";
import type { Member } from "../api/types";
import {
  AUDIT_ACTIONS,
  NO_FILTERS,
  actorName,
  auditActionWords,
  auditQuery,
  detailWords,
  filterProblem,
  outcomeBadge,
  pendingNotice,
  targetWords,
} from "./compliance";
import { explainProblem } from "./common";

const ADA: Member = { user_id: "u-ada", email: "ada@example.com", name: "Ada Lovelace", role: "owner", joined_at: "2026-01-01T00:00:00Z" };
const MEMBERS = new Map([[ADA.user_id, ADA]]);

// Every action of domain/compliance/audit.py's AuditAction.
const SERVER_ACTIONS = [
  "auth.sign_in", "auth.sign_in_failed", "auth.refresh_reused", "member.role_changed", "member.removed",
  "invitation.created", "invitation.accepted", "invitation.revoked", "connection.made",
  "connection.needs_reauth", "connection.shared", "connection.unshared", "connection.disconnected",
  "connection.purged", "sync.requested", "import.started", "import.finished", "export.created",
  "original.retrieved", "api_key.created", "api_key.deleted", "vault.key_rotated", "vault.key_retired",
  "vault.reencrypted", "data.exported", "data.erased", "tenant.created", "tenant.deletion_requested",
  "tenant.deletion_cancelled", "backup.restored",
];

describe("audit actions in words", () => {
  it("has words for every action the server records, and the filter lists each once", () => {
    const listed = AUDIT_ACTIONS.map(([value]) => value);
    expect(new Set(listed)).toEqual(new Set(SERVER_ACTIONS));
    expect(listed.length).toBe(SERVER_ACTIONS.length);
    for (const action of SERVER_ACTIONS) {
      const words = auditActionWords(action);
      expect(words).not.toContain(".");
      expect(words).not.toMatch(/tenant/i);
    }
  });
  it("tells the two exports apart", () => {
    expect(auditActionWords("data.exported", { kind: "personal" })).toBe("Downloaded their personal data");
    expect(auditActionWords("data.exported", { kind: "tenant" })).toBe("Exported the organisation");
  });
  it("humanizes an action it does not know yet", () => {
    expect(auditActionWords("report.scheduled")).toBe("Report scheduled");
  });
  it("says the outcome in words with a tone", () => {
    expect(outcomeBadge("success")).toEqual({ words: "Succeeded", tone: "ok" });
    expect(outcomeBadge("failure")).toEqual({ words: "Failed", tone: "bad" });
    expect(outcomeBadge("denied")).toEqual({ words: "Refused", tone: "warn" });
    expect(outcomeBadge("odd")).toEqual({ words: "Odd", tone: "neutral" });
  });
});

describe("who acted and on what", () => {
  it("names a current member, the system, an erased and a former member", () => {
    expect(actorName({ actor_type: "user", actor_id: "u-ada" }, MEMBERS)).toBe("Ada Lovelace");
    expect(actorName({ actor_type: "system", actor_id: "" }, MEMBERS)).toBe("Atlas (system)");
    expect(actorName({ actor_type: "user", actor_id: "" }, MEMBERS)).toBe("Erased member");
    expect(actorName({ actor_type: "user", actor_id: "u-gone" }, MEMBERS)).toBe("Former member");
  });
  it("falls back to the email when a member has no name", () => {
    const nameless = new Map([["u-x", { ...ADA, user_id: "u-x", name: "" }]]);
    expect(actorName({ actor_type: "user", actor_id: "u-x" }, nameless)).toBe("ada@example.com");
  });
  it("names targets by kind, a member by name, a key by its name, a connection by its provider", () => {
    expect(targetWords({ target_type: "user", target_id: "u-ada", details: {} }, MEMBERS)).toBe("Member: Ada Lovelace");
    expect(targetWords({ target_type: "member", target_id: "", details: {} }, MEMBERS)).toBe("Erased member");
    expect(targetWords({ target_type: "api_key", target_id: "k1", details: { name: "openai" } }, MEMBERS)).toBe("API key: openai");
    expect(targetWords({ target_type: "connection", target_id: "c1", details: { provider: "hubspot" } }, MEMBERS)).toBe("Connection: HubSpot");
    expect(targetWords({ target_type: "tenant", target_id: "t1", details: {} }, MEMBERS)).toBe("Organisation");
    expect(targetWords({ target_type: "", target_id: "", details: {} }, MEMBERS)).toBe("—");
  });
  it("says a role change in words and leaves out what the row already says", () => {
    expect(detailWords({ from: "member", to: "admin" })).toBe("from Member to Admin");
    expect(detailWords({ role: "viewer" })).toBe("as Viewer");
    expect(detailWords({ kind: "tenant", provider: "gmail", revocation: "revoked" })).toBe("Revocation: revoked");
    expect(detailWords({})).toBe("");
  });
});

describe("the audit filters", () => {
  it("sends nothing without filters", () => {
    expect(auditQuery(NO_FILTERS)).toEqual({});
  });
  it("sends local days as instants, the last day included", () => {
    const query = auditQuery({ action: "auth.sign_in", outcome: "failure", since: "2026-03-01", until: "2026-03-31" });
    expect(query.action).toBe("auth.sign_in");
    expect(query.outcome).toBe("failure");
    expect(query.since).toBe(new Date(2026, 2, 1).toISOString());
    expect(query.until).toBe(new Date(2026, 3, 1).toISOString()); // the next midnight: exclusive
    expect(query.since).toMatch(/Z$/); // always with a time zone, as the server requires
  });
  it("ignores a date it cannot read and refuses dates in the wrong order", () => {
    expect(auditQuery({ ...NO_FILTERS, since: "yesterday" })).toEqual({});
    expect(filterProblem({ ...NO_FILTERS, since: "2026-03-02", until: "2026-03-01" })).toMatch(/after/);
    expect(filterProblem({ ...NO_FILTERS, since: "2026-03-01", until: "2026-03-01" })).toBeNull();
  });
});

describe("the pending-deletion notice", () => {
  it("names the day in the reader's language and time zone", () => {
    expect(pendingNotice("2026-06-12T10:00:00Z", "en-GB", "UTC")).toBe(
      "This organisation will be deleted on 12 June 2026; it is read-only until then.",
    );
    expect(calendarDay("2026-06-12T23:30:00Z", "en-US", "America/New_York")).toBe("June 12, 2026");
    expect(calendarDay("2026-06-12T23:30:00Z", "en-GB", "Europe/Berlin")).toBe("13 June 2026");
  });
  it("still says something without a date", () => {
    expect(pendingNotice(null)).toMatch(/scheduled for deletion; it is read-only/);
    expect(calendarDay("not a date")).toBe("");
  });
});

describe("problem codes in words", () => {
  const problem = (code: string, status: number, extra: Record<string, string> = {}) =>
    new ApiError({ status, code, title: "Server title", detail: "This tenant says tenant things.", ...extra });
  it.each([
    ["auth.reauthentication_failed", 403],
    ["compliance.last_owner", 409],
    ["tenant.confirmation_mismatch", 422],
    ["tenant.pending_deletion", 409],
    ["tenant.not_pending_deletion", 409],
    ["tenant.purge_due", 409],
    ["tenancy.wrong_region", 409],
    ["audit.invalid_filter", 422],
  ])("%s gets the app's words, never 'tenant'", (code, status) => {
    const error = problem(code, status);
    expect(problemWords(error.problem)).toBeTruthy();
    expect(explainProblem(error)).toBe(describeError(error));
    expect(explainProblem(error)).not.toMatch(/tenant/i);
    expect(explainProblem(error)).not.toMatch(/Ask an owner or admin/); // not a missing role
  });
  it("dates the read-only refusal and names the other region", () => {
    const pending = problem("tenant.pending_deletion", 409, { purge_after: "2026-06-12T10:00:00Z" });
    expect(describeError(pending)).toContain(calendarDay("2026-06-12T10:00:00Z"));
    expect(describeError(pending)).toMatch(/read-only/);
    const region = problem("tenancy.wrong_region", 409, { region: "europe-west4", region_url: "https://eu.example" });
    expect(describeError(region)).toContain("europe-west4");
  });
  it("keeps the server's words for other codes", () => {
    expect(describeError(problem("identity.email_taken", 409))).toContain("Server title");
  });
});

describe("the name of a downloaded file", () => {
  it("comes from Content-Disposition, without path separators", () => {
    expect(attachmentName('attachment; filename="atlas-audit.ndjson"', "x")).toBe("atlas-audit.ndjson");
    expect(attachmentName("attachment; filename=a/b.zip", "x")).toBe("a_b.zip");
    expect(attachmentName(null, "atlas.zip")).toBe("atlas.zip");
  });
});

describe("who can lift a 403", () => {
  const refused = (code: string) => new ApiError({ status: 403, code, title: "Refused", detail: "Refused." });
  it("sends a missing role to an owner or admin, and nothing else", () => {
    expect(explainProblem(refused("auth.role_required"))).toMatch(/Ask an owner or admin/);
    expect(explainProblem(refused("integrations.start_link_not_yours"))).not.toMatch(/Ask an owner or admin/);
    expect(explainProblem(refused("identity.email_unverified"))).not.toMatch(/Ask an owner or admin/);
  });
});
