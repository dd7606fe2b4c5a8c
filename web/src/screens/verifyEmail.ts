// Verifying a new account's email address (entrypoints/http/controllers/email_verification.py):
// the link's token, the calls, and what the notice says. Plain functions, tested in vitest.
import { api } from "../api/client";
import type { Profile } from "../api/types";

/** The token of a link's fragment ("#token=…"), or "" when there is none. */
export function tokenFromFragment(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token") ?? "";
}

/** Take the token out of the address bar at once, so it is not left in history or shared. */
export function takeToken(): string {
  const token = tokenFromFragment(window.location.hash);
  if (window.location.hash) window.history.replaceState(null, "", window.location.pathname);
  return token;
}

export function verifyEmail(token: string): Promise<unknown> {
  return api.post("/api/v1/auth/verify-email", { token });
}

export function resendVerification(): Promise<unknown> {
  return api.post("/api/v1/me/email-verification");
}

export interface VerificationNotice {
  title: string;
  where: string;
  outbox: string | null;
}

/** What the notice says to someone whose address is not yet verified; null once it is. */
export function verificationNotice(profile: Profile | null): VerificationNotice | null {
  if (!profile || profile.user.email_verified) return null;
  const outbox = profile.email_outbox ?? null;
  return {
    title: "Verify your email to invite people and connect tools",
    where: `We sent a link to ${profile.user.email}. It works for 24 hours.`,
    outbox: outbox ? `In development, the email is a file in ${outbox}` : null,
  };
}
