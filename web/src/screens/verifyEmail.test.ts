import { describe, expect, it } from "vitest";
import type { Profile } from "../api/types";
import { tokenFromFragment, verificationNotice } from "./verifyEmail";

function profile(verified: boolean, outbox?: string | null): Profile {
  return {
    user: {
      id: "u1",
      email: "ada@example.com",
      name: "Ada",
      email_verified: verified,
      email_verified_at: verified ? "2026-12-05T10:00:00Z" : null,
    },
    tenant: { id: "t1", name: "Acme", region: "europe-west4", created_at: "2026-12-01T00:00:00Z" },
    role: "owner",
    tenants: [],
    ...(outbox === undefined ? {} : { email_outbox: outbox }),
  };
}

describe("the verification link", () => {
  it("reads the token from the fragment", () => {
    expect(tokenFromFragment("#token=a.b.secret-_x")).toBe("a.b.secret-_x");
    expect(tokenFromFragment("token=abc")).toBe("abc");
  });
  it("finds nothing in an empty or foreign fragment", () => {
    expect(tokenFromFragment("")).toBe("");
    expect(tokenFromFragment("#section")).toBe("");
  });
});

describe("the notice until the address is verified", () => {
  it("asks to verify, naming the address", () => {
    const notice = verificationNotice(profile(false));
    expect(notice?.title).toBe("Verify your email to invite people and connect tools");
    expect(notice?.where).toContain("ada@example.com");
    expect(notice?.outbox).toBeNull();
  });
  it("says where the email is in development", () => {
    const notice = verificationNotice(profile(false, "/home/dev/atlas/.atlas/outbox"));
    expect(notice?.outbox).toBe("In development, the email is a file in /home/dev/atlas/.atlas/outbox");
  });
  it("is gone once verified, or before the profile has loaded", () => {
    expect(verificationNotice(profile(true, "/tmp/outbox"))).toBeNull();
    expect(verificationNotice(null)).toBeNull();
  });
});
