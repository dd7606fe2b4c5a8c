// Every refusal from Atlas is problem+json with a stable code: the UI speaks in those.
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: { field?: string; message?: string }[];
  retryAfter?: number;
  /** tenant.pending_deletion: when the workspace is purged (ISO 8601). */
  purge_after?: string;
  /** tenancy.wrong_region: where the organisation's data lives, and that region's Atlas. */
  region?: string;
  region_url?: string;
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title || problem.code);
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string {
    return this.problem.code;
  }
}

export async function problemOf(response: Response): Promise<Problem> {
  const retry = Number(response.headers.get("retry-after") ?? "");
  const base: Problem = {
    status: response.status,
    code: `http.${response.status}`,
    title: response.statusText || "Request failed",
    ...(Number.isFinite(retry) && retry > 0 ? { retryAfter: retry } : {}),
  };
  try {
    const body = (await response.json()) as Partial<Problem> & { extra?: unknown };
    return { ...base, ...body, status: response.status };
  } catch {
    return base;
  }
}

export function networkProblem(): Problem {
  return {
    status: 0,
    code: "network.unreachable",
    title: "Atlas cannot be reached",
    detail: "Check your connection; Atlas will retry when you try again.",
  };
}

/** A day in the reader's locale and time zone: "12 June 2026". Empty for a time it cannot read. */
export function calendarDay(at: string | number | Date, locale?: string, timeZone?: string): string {
  const date = at instanceof Date ? at : new Date(at);
  if (!Number.isFinite(date.getTime())) return "";
  return new Intl.DateTimeFormat(locale, { dateStyle: "long", ...(timeZone ? { timeZone } : {}) }).format(date);
}

// The server's own sentences speak of tenants; these codes get the app's words instead.
const WORDS: Record<string, (p: Problem) => string> = {
  "auth.reauthentication_failed": () => "That password is not right. Nothing was changed; type your current password and try again.",
  "compliance.last_owner": () =>
    "You are the only owner of an organisation. Make someone else an owner on the Members screen, or delete the organisation, before deleting your account.",
  "tenant.confirmation_mismatch": () =>
    "The name you typed is not the organisation's name. Type it exactly as shown, then try again.",
  "tenant.pending_deletion": (p) => {
    const day = p.purge_after ? calendarDay(p.purge_after) : "";
    return `This organisation is scheduled for deletion${day ? ` on ${day}` : ""} and is read-only until then, so nothing can be changed. An owner can restore it from the notice at the top of the page.`;
  },
  "tenant.not_pending_deletion": () => "This organisation is not scheduled for deletion, so there is nothing to restore.",
  "tenant.purge_due": () =>
    "The 30 days to restore this organisation are over: its deletion has started and cannot be taken back.",
  "tenancy.wrong_region": (p) =>
    `Your organisation's data is kept in another region${p.region ? ` (${p.region})` : ""}, which a different Atlas serves. Sign in there${p.region_url ? "" : "; ask your administrator for its address"}.`,
  "identity.email_unverified": () =>
    "Verify your email address first: open the link Atlas emailed you (the notice at the top of the page can send a new one). Then you can invite people and connect tools.",
  "identity.email_verification_invalid": () =>
    "This verification link has expired, was already used, or was replaced by a newer one. Sign in and ask for a new link from the notice at the top of the page.",
  "identity.email_already_verified": () => "Your email address is already verified.",
  "audit.invalid_filter": () => "One of the filters is not valid. Check the dates (the first must come before the last) and try again.",
  "audit.invalid_cursor": () => "The list moved on since it was loaded. Reload the page to start from the newest events.",
};

/** The app's own sentence for a problem code, or null when the server's words are used. */
export function problemWords(problem: Problem): string | null {
  const words = WORDS[problem.code];
  return words ? words(problem) : null;
}

/** What to tell a person, in one sentence. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    const p = error.problem;
    const words = problemWords(p);
    if (words) return words;
    const detail = p.detail && p.detail !== p.title ? ` ${p.detail}` : "";
    return `${p.title}.${detail}`.replace(/\.\./g, ".");
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
