// You: your profile, your password, where you are signed in, security alerts for admins, your
// data (download, delete), and for owners the organisation's data (export, delete).
import { useState } from "preact/hooks";
import { api } from "../api/client";
import { signOut } from "../api/session";
import type { Profile, SessionView } from "../api/types";
import type { FeedEvent } from "../feed";
import { useFeedEvents } from "../live";
import { Alert, Badge, Button, ErrorState, Field, Loading, Page } from "../ui/kit";
import { useLoad } from "../ui/use";
import { useProfile } from "../workspace";
import { ProblemAlert, When, problemStatus, useAction, useRole } from "./common";
import { OrganisationData } from "./organisation";
import { YourData } from "./yourData";
import { PASSWORD_HINT, PASSWORD_MIN_CHARACTERS, managesMembers, passwordProblem, roleWords, securityAlertWords } from "./words";

export function Account() {
  const me = useLoad((signal) => api.get<Profile>("/api/v1/me", undefined, signal), []);
  const profile = useProfile(); // kept current by the shell: deleting or restoring updates it
  return (
    <Page title="Account">
      {me.error ? (
        <ErrorState error={me.error} retry={me.reload} />
      ) : !me.data ? (
        <Loading label="Loading your profile…" />
      ) : (
        <dl class="facts card">
          <dt>Name</dt>
          <dd>{me.data.user.name}</dd>
          <dt>Email</dt>
          <dd>{me.data.user.email}</dd>
          <dt>Organisation</dt>
          <dd>{me.data.tenant.name} <span class="muted small">(data kept in {me.data.tenant.region})</span></dd>
          <dt>Your role</dt>
          <dd>{roleWords(me.data.role)}</dd>
        </dl>
      )}
      <ChangePassword />
      <Sessions />
      <SecurityAlerts />
      <YourData organisation={me.data?.tenant.name} />
      {profile?.role === "owner" ? <OrganisationData profile={profile} /> : null}
    </Page>
  );
}

function ChangePassword() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const problem = passwordProblem(next);
    setInvalid(problem);
    setDone(false);
    if (problem) return;
    void action.run("password", async () => {
      await api.post("/api/v1/auth/password", { current_password: current, new_password: next });
      setCurrent("");
      setNext("");
      setDone(true);
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="password-title">
      <h2 id="password-title">Change your password</h2>
      <p class="small">Changing it signs you out everywhere else: your other browsers and devices must sign in again.</p>
      <Field label="Current password" name="current-password" type="password" value={current} onInput={setCurrent} required autocomplete="current-password" />
      <Field label="New password" name="new-password" type="password" value={next} onInput={setNext} required minLength={PASSWORD_MIN_CHARACTERS} autocomplete="new-password" hint={PASSWORD_HINT} />
      {invalid ? <p class="alert error" role="alert">{invalid}</p> : null}
      <ProblemAlert error={action.error} title="The password was not changed" />
      {done ? <Alert kind="success" title="Your password is changed. Your other sessions have ended." /> : null}
      <Button type="submit" variant="primary" busy={action.busy === "password"}>Change password</Button>
    </form>
  );
}

function Sessions() {
  const list = useLoad((signal) => api.get<SessionView[]>("/api/v1/auth/sessions", undefined, signal), []);
  const action = useAction();
  const end = (session: SessionView) =>
    action.run(session.id, async () => {
      await api.delete(`/api/v1/auth/sessions/${session.id}`);
      list.reload();
    });
  const everywhere = () => {
    if (!window.confirm("Sign out on every device, including this one?")) return;
    void action.run("everywhere", () => signOut(true));
  };
  return (
    <section class="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Where you are signed in</h2>
      {list.error && problemStatus(list.error) === 404 ? (
        <p class="muted">This Atlas does not list sessions yet. You can still sign out everywhere.</p>
      ) : list.error ? (
        <ErrorState error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading label="Loading your sessions…" />
      ) : (
        <table>
          <caption class="visually-hidden">Your sessions</caption>
          <thead>
            <tr><th scope="col">Signed in</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {list.data.map((s) => (
              <tr key={s.id}>
                <td><When at={s.created_at} /> {s.current ? <Badge tone="ok">This browser</Badge> : null}</td>
                <td><When at={s.last_used_at} empty="Not since sign-in" /></td>
                <td><When at={s.expires_at} /></td>
                <td>
                  {s.current ? null : (
                    <Button variant="quiet" onClick={() => void end(s)} busy={action.busy === s.id}>
                      Sign out<span class="visually-hidden"> the session from <When at={s.created_at} /></span>
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ProblemAlert error={action.error} />
      <Button variant="danger" onClick={everywhere} busy={action.busy === "everywhere"}>Sign out everywhere</Button>
    </section>
  );
}

function SecurityAlerts() {
  const role = useRole();
  const [alerts, setAlerts] = useState<FeedEvent[]>([]);
  useFeedEvents(["security.alert"], (event) => setAlerts((current) => [event, ...current].slice(0, 20)));
  if (!managesMembers(role)) return null;
  return (
    <section class="card" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Security alerts</h2>
      <p class="small muted">Sign-ins and reused refresh tokens in this organisation, as they happen while this page is open.</p>
      {alerts.length === 0 ? (
        <p>None since you opened this page.</p>
      ) : (
        <ul aria-live="polite">
          {alerts.map((a) => (
            <li key={a.seq}>
              <When at={a.at} />: {securityAlertWords(String(a.data.alert ?? ""))}
              {typeof a.data.address === "string" ? <span class="muted"> from {a.data.address}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
