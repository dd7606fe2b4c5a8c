import { describe, expect, it } from "vitest";
import {
  connectionBadge,
  explainRunError,
  humanize,
  importErrorWords,
  oauthReturn,
  passwordProblem,
  providerName,
} from "./words";

describe("the consent's return", () => {
  it("says a success with the provider's name", () => {
    const told = oauthReturn("connected", "connected", "hubspot");
    expect(told.ok).toBe(true);
    expect(told.title).toBe("HubSpot is connected — the first sync has started");
  });
  it.each([
    "access_denied", "provider_error", "provider_unavailable", "issuer_mismatch", "code_missing",
    "exchange_refused", "scopes_missing", "storage_failed", "state_missing", "state_unknown",
    "state_reused", "state_expired", "platform_mismatch", "session_mismatch", "session_missing",
    "ticket_invalid",
  ])("has a sentence for %s (never the code itself)", (reason) => {
    const told = oauthReturn(reason === "access_denied" ? "denied" : "error", reason, "gmail");
    expect(told.ok).toBe(false);
    expect(told.message).not.toContain(reason);
    expect(told.message).not.toContain("{p}");
    expect(told.message.length).toBeGreaterThan(20);
  });
  it("names the provider when it is known, and copes when it is not", () => {
    expect(oauthReturn("denied", "access_denied", "gmail").message).toContain("Gmail");
    expect(oauthReturn("denied", "access_denied", null).message).toContain("the provider".replace("the", "The"));
    expect(oauthReturn("denied", "access_denied", null).title).toBe("Access was not granted");
  });
  it("falls back to the code for a reason it does not know", () => {
    expect(oauthReturn("error", "brand_new", "jira").message).toContain("brand_new");
  });
});

describe("connection badges", () => {
  it("carries words and a stable status for every state", () => {
    expect(connectionBadge("active")).toEqual({ key: "connected", words: "Connected", tone: "ok" });
    expect(connectionBadge("active", true)).toMatchObject({ key: "syncing", words: "Syncing" });
    expect(connectionBadge("needs_reauth")).toMatchObject({ key: "needs-reauth", words: "Needs re-authentication" });
    expect(connectionBadge("error")).toMatchObject({ key: "error", words: "Error" });
    expect(connectionBadge("revoked")).toMatchObject({ key: "revoked" });
    expect(connectionBadge("needs_reauth", true).key).toBe("needs-reauth"); // a dead grant is not syncing
  });
});

describe("why a sync stopped", () => {
  it("sends a dead grant to Reconnect", () => {
    for (const code of ["integrations.needs_reauth", "integrations.connection_revoked", "integrations.connection_not_usable", "refused:invalid_grant"]) {
      expect(explainRunError(code, "slack")?.fix).toBe("reconnect");
    }
    expect(explainRunError("integrations.needs_reauth", "slack")?.message).toContain("Slack");
  });
  it("sends an unreachable provider or a refusal to Sync now", () => {
    expect(explainRunError("unavailable:network", "jira")?.fix).toBe("sync");
    expect(explainRunError("refused:unreadable_response", "jira")?.fix).toBe("sync");
    expect(explainRunError("something_new", "jira")?.fix).toBe("sync");
  });
  it("lets a rate limit or a restart carry on by itself", () => {
    expect(explainRunError("api_allowance_reserve", "salesforce")?.fix).toBe("wait");
    expect(explainRunError("http_429", "hubspot")?.message).toContain("rate limit");
    expect(explainRunError("worker_stopped", "hubspot")?.fix).toBe("wait");
  });
  it("says nothing without an error", () => {
    expect(explainRunError(null)).toBeNull();
  });
});

describe("other words", () => {
  it("names providers", () => {
    expect(providerName("google_calendar")).toBe("Google Calendar");
    expect(providerName("pipedrive_crm")).toBe("Pipedrive crm");
  });
  it("explains import failures", () => {
    expect(importErrorWords("graph.import_too_large")).toContain("512 MiB");
    expect(importErrorWords("graph.whatever")).toContain("graph.whatever");
    expect(importErrorWords(null)).toBe("The import failed.");
  });
  it("checks passwords by the server's rules", () => {
    expect(passwordProblem("short")).toContain("12");
    expect(passwordProblem("twelve chars")).toBeNull();
    expect(passwordProblem("é".repeat(40))).toContain("72 bytes"); // 40 characters, 80 bytes
  });
  it("humanizes codes", () => {
    expect(humanize("email_thread")).toBe("Email thread");
    expect(humanize("deal.stage_changed")).toBe("Deal stage changed");
  });
});
