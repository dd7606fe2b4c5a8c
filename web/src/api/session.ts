// The browser's session. The access token lives in this module's memory only (never in
// storage, so a script injected later finds nothing to steal); the refresh token is an
// HttpOnly __Host- cookie the page cannot read. Every auth call sends X-Atlas-Client: web,
// which is both how the server knows to use the cookie and the CSRF defence (a custom
// header forces a CORS preflight, and the server checks Origin exactly).
import { apiUrl } from "../config";
import { ApiError, networkProblem, problemOf } from "./problem";

export const CLIENT_HEADER = "X-Atlas-Client";
export const CLIENT_VALUE = "web";
const REFRESH_MARGIN_SECONDS = 60; // refresh a minute before the access token expires

export type Role = "owner" | "admin" | "member" | "viewer";

export interface Tokens {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token?: string | null;
  tenant_id: string;
  user_id: string;
  role: Role;
}

export interface SessionState {
  status: "unknown" | "signed-in" | "signed-out";
  tenantId?: string;
  userId?: string;
  role?: Role;
  /** Why the session ended, when it was not the person's own choice. */
  ended?: string;
}

type Listener = (state: SessionState) => void;

let accessToken: string | null = null;
let expiresAt = 0;
let state: SessionState = { status: "unknown" };
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<Listener>();

export function currentSession(): SessionState {
  return state;
}

export function onSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function publish(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener(state);
}

export function accessTokenNow(): string | null {
  return accessToken && Date.now() < expiresAt ? accessToken : null;
}

function adopt(tokens: Tokens): void {
  accessToken = tokens.access_token;
  expiresAt = Date.now() + tokens.expires_in * 1000;
  if (refreshTimer) clearTimeout(refreshTimer);
  const wait = Math.max(5, tokens.expires_in - REFRESH_MARGIN_SECONDS) * 1000;
  refreshTimer = setTimeout(() => void refresh(), wait);
  publish({
    status: "signed-in",
    tenantId: tokens.tenant_id,
    userId: tokens.user_id,
    role: tokens.role,
  });
}

export function forget(ended?: string): void {
  accessToken = null;
  expiresAt = 0;
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = null;
  publish(ended ? { status: "signed-out", ended } : { status: "signed-out" });
}

async function authCall(path: string, body: unknown, bearer = false): Promise<Response> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    [CLIENT_HEADER]: CLIENT_VALUE,
  };
  if (bearer && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  try {
    return await fetch(apiUrl(`/api/v1/auth/${path}`), {
      method: "POST",
      headers,
      body: JSON.stringify(body ?? {}),
      credentials: "include",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(networkProblem());
  }
}

async function tokensFrom(response: Response): Promise<Tokens> {
  if (!response.ok) throw new ApiError(await problemOf(response));
  const tokens = (await response.json()) as Tokens;
  adopt(tokens);
  return tokens;
}

export async function signUp(body: {
  email: string;
  password: string;
  name: string;
  organisation: string;
  region?: string;
}): Promise<Tokens> {
  return tokensFrom(await authCall("signup", body));
}

export async function signIn(body: {
  email: string;
  password: string;
  tenant_id?: string;
}): Promise<Tokens> {
  return tokensFrom(await authCall("login", body));
}

export async function acceptInvitation(body: {
  token: string;
  password: string;
  name?: string;
}): Promise<Tokens> {
  return tokensFrom(await authCall("invitations/accept", body));
}

export async function switchTenant(tenantId: string): Promise<Tokens> {
  return tokensFrom(await authCall("switch-tenant", { tenant_id: tenantId }, true));
}

/**
 * Silent refresh with the cookie. One at a time: a second caller waits for the first (the
 * server rotates the refresh token, and a reused one ends the session everywhere).
 */
export function refresh(): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const response = await authCall("refresh", {});
        if (response.status === 204) {
          forget(); // this browser holds no session: nobody is signed in here
          return false;
        }
        if (response.status === 401) {
          forget(state.status === "signed-in" ? "Your session ended. Sign in again." : undefined);
          return false;
        }
        await tokensFrom(response);
        return true;
      } catch {
        // Offline or the server is restarting: keep the session, try again shortly.
        if (state.status === "unknown") publish({ status: "signed-out" });
        else if (refreshTimer === null || accessTokenNow() === null) {
          refreshTimer = setTimeout(() => void refresh(), 5000);
        }
        return false;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

export async function signOut(everywhere = false): Promise<void> {
  // An expired access token would be refused before the server clears the cookie.
  if (!accessTokenNow()) await refresh();
  try {
    await authCall(everywhere ? "logout-all" : "logout", {}, true);
  } finally {
    forget();
  }
}
