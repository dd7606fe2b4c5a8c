// Helpers the screens share: times with a relative hint, the signed-in role, problems in words.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, describe, problemWords } from "../api/problem";
import { currentSession, onSession } from "../api/session";
import { Alert } from "../ui/kit";
import { absoluteTime, duration, relativeTime } from "./format";

const ticks = new Set<(now: number) => void>();
let ticker: ReturnType<typeof setInterval> | null = null;

/** The current time, updated every 30 s while something shows a relative time. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    ticks.add(setNow);
    if (!ticker) ticker = setInterval(() => ticks.forEach((tick) => tick(Date.now())), 30_000);
    return () => {
      ticks.delete(setNow);
      if (ticks.size === 0 && ticker) {
        clearInterval(ticker);
        ticker = null;
      }
    };
  }, []);
  return now;
}

/** A time in the reader's locale, with "3 minutes ago" beside it. */
export function When(props: { at: string | null | undefined; empty?: string }) {
  const now = useNow();
  if (!props.at) return <span class="muted">{props.empty ?? "—"}</span>;
  return (
    <time dateTime={props.at} title={absoluteTime(props.at)}>
      {absoluteTime(props.at)} <span class="muted">({relativeTime(props.at, now)})</span>
    </time>
  );
}

/** The signed-in person's role in this tenant (from the session's tokens). */
export function useRole(): string | undefined {
  const [role, setRole] = useState<string | undefined>(currentSession().role);
  useEffect(() => onSession((state) => setRole(state.role)), []);
  return role;
}

export function problemCode(error: unknown): string | null {
  return error instanceof ApiError ? error.problem.code : null;
}

export function problemStatus(error: unknown): number | null {
  return error instanceof ApiError ? error.problem.status : null;
}

// The refusals a role would lift; another 403 (a start link that is someone else's, an address
// not verified yet) is not an owner's or admin's to grant.
const MISSING_ROLE = new Set(["auth.role_required", "auth.owner_required"]);

/** A refusal in words: the server's title and detail, the wait on a 429, the role on a 403. */
export function explainProblem(error: unknown): string {
  if (error instanceof ApiError) {
    const p = error.problem;
    if (p.status === 429) {
      const wait = p.retryAfter ? ` Try again in ${duration(p.retryAfter)}.` : " Wait a little and try again.";
      return `${p.title || "Too many attempts"}.${wait}`.replace(/\.\./g, ".");
    }
    if (problemWords(p)) return describe(error);
    if (p.status === 403 && MISSING_ROLE.has(p.code)) {
      return `${describe(error)} Ask an owner or admin of your organisation if you need this.`;
    }
  }
  return describe(error);
}

export function ProblemAlert(props: { error: unknown; title?: string; children?: ComponentChildren }) {
  if (!props.error) return null;
  return (
    <Alert kind="error" title={props.title ?? "That did not work"}>
      <p>{explainProblem(props.error)}</p>
      {props.children}
    </Alert>
  );
}

/** Runs an action, keeping its busy flag and its error for the screen to show. */
export function useAction(): {
  busy: string | null;
  error: unknown;
  clear: () => void;
  run: (key: string, action: () => Promise<unknown>) => Promise<boolean>;
} {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async (key: string, action: () => Promise<unknown>) => {
    setBusy(key);
    setError(null);
    try {
      await action();
      return true;
    } catch (reason) {
      setError(reason);
      return false;
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, clear: () => setError(null), run };
}
