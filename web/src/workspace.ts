// The signed-in person's profile and the organisation this session acts in, shared by the shell
// (its name, the pending-deletion notice) and the screens that change it (delete, restore).
import { useEffect, useState } from "preact/hooks";
import { api, onProblem } from "./api/client";
import type { Profile } from "./api/types";

type Listener = (profile: Profile | null) => void;

let profile: Profile | null = null;
let generation = 0;
const listeners = new Set<Listener>();

function publish(next: Profile | null): void {
  profile = next;
  listeners.forEach((listener) => listener(profile));
}

/** Load GET /api/v1/me again; the newest call wins when a switch of organisation races it. */
export async function reloadProfile(): Promise<void> {
  const mine = ++generation;
  try {
    const loaded = await api.get<Profile>("/api/v1/me");
    if (mine === generation) publish(loaded);
  } catch {
    // Keep what is shown; the screens report their own errors, and the next load tries again.
  }
}

export function clearProfile(): void {
  generation += 1;
  publish(null);
}

export function useProfile(): Profile | null {
  const [current, setCurrent] = useState(profile);
  useEffect(() => {
    listeners.add(setCurrent);
    setCurrent(profile);
    return () => void listeners.delete(setCurrent);
  }, []);
  return current;
}

// Another owner may delete or restore the organisation while this page is open: a refusal that
// says so brings the notice up to date.
onProblem((error) => {
  const pending = profile?.tenant.status === "pending_deletion";
  if ((error.code === "tenant.pending_deletion" && !pending) || (error.code === "tenant.not_pending_deletion" && pending)) {
    void reloadProfile();
  }
});
