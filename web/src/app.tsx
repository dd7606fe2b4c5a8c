// The shell: who is signed in, the navigation, and which screen a path shows.
import { useEffect, useState } from "preact/hooks";
import { currentSession, onSession, refresh, signOut, switchTenant, type SessionState } from "./api/session";
import type { Profile } from "./api/types";
import { useFeedStatus } from "./live";
import { Explorer } from "./map/explorer";
import { navigate, useLocation } from "./router";
import { Account } from "./screens/account";
import { ApiKeys } from "./screens/apiKeys";
import { AuditLog } from "./screens/audit";
import { AcceptInvitation, SignIn, SignUp } from "./screens/auth";
import { CONNECT_PATH, ConfirmConnect, keepStartTicket } from "./screens/connectLink";
import { Connections } from "./screens/connections";
import { Entities, EntityTimeline } from "./screens/entities";
import { ImportFile } from "./screens/import";
import { Integrations } from "./screens/integrations";
import { Members } from "./screens/members";
import { PendingDeletionNotice } from "./screens/organisation";
import { VerifyEmail, VerifyEmailNotice } from "./screens/verifyEmailScreen";
import { managesMembers } from "./screens/words";
import { Alert, Button, Link, Loading } from "./ui/kit";
import { clearProfile, reloadProfile, useProfile } from "./workspace";

// The invitation and verification emails link here (entrypoints/identity_wiring.py), the token
// in the fragment.
const INVITATION = "/accept-invitation";
const VERIFICATION = "/verify-email";
const NAV: [string, string][] = [
  ["/maps", "Process maps"],
  ["/connections", "Connections"],
  ["/integrations", "Integrations"],
  ["/entities", "Entities"],
  ["/import", "Import"],
  ["/members", "Members"],
  ["/api-keys", "API keys"],
  ["/audit", "Audit log"],
  ["/account", "Account"],
];
const MANAGERS_ONLY = new Set(["/audit"]); // members and viewers are refused its API (403)
const PUBLIC = new Set(["/signin", "/signup", INVITATION, VERIFICATION]);
const EITHER = new Set([INVITATION, VERIFICATION]); // signed in or not, these stay

function useSession(): SessionState {
  const [state, setState] = useState(currentSession());
  useEffect(() => onSession(setState), []);
  return state;
}

export function App() {
  const session = useSession();
  const location = useLocation();
  useEffect(keepStartTicket, []); // a followed start link: out of the address bar before signing in
  useEffect(() => {
    if (session.status === "unknown") void refresh(); // a cookie from an earlier visit?
  }, [session.status]);
  useEffect(() => {
    if (session.status === "signed-out" && !PUBLIC.has(location.path)) {
      const back = location.path === "/" ? "" : `?next=${encodeURIComponent(location.path + window.location.search)}`;
      navigate(`/signin${back}`, { replace: true });
    } else if (session.status === "signed-in" && !EITHER.has(location.path) && (PUBLIC.has(location.path) || location.path === "/")) {
      const next = location.query.get("next");
      navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/maps", { replace: true });
    }
  }, [session.status, location.path]);

  if (session.status === "unknown") return <Loading label="Opening Atlas…" />;
  if (session.status === "signed-out") {
    return (
      <div class="public">
        <p class="brand" aria-hidden="true">Atlas</p>
        <main id="main">
          {session.ended ? <Alert kind="info" title={session.ended} /> : null}
          {location.path === "/signup" ? (
            <SignUp />
          ) : location.path === INVITATION ? (
            <AcceptInvitation />
          ) : location.path === VERIFICATION ? (
            <VerifyEmail signedIn={false} />
          ) : (
            <SignIn />
          )}
        </main>
      </div>
    );
  }
  return <SignedIn path={location.path} />;
}

function SignedIn(props: { path: string }) {
  const session = useSession();
  const me = useProfile();
  useEffect(() => {
    void reloadProfile();
  }, [session.tenantId]);
  useEffect(() => clearProfile, []); // signed out: the next person starts from nothing
  const nav = NAV.filter(([to]) => !MANAGERS_ONLY.has(to) || managesMembers(session.role));
  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <span class="brand">Atlas</span>
        {me ? <TenantSwitch me={me} /> : null}
        <FeedIndicator />
        <Button variant="quiet" onClick={() => void signOut()}>
          Sign out
        </Button>
      </header>
      <nav class="sidebar" aria-label="Main">
        <ul>
          {nav.map(([to, label]) => (
            <li key={to}>
              <Link to={to} current={props.path === to || props.path.startsWith(`${to}/`)}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="content">
        <PendingDeletionNotice profile={me} path={props.path} />
        {props.path === VERIFICATION ? null : <VerifyEmailNotice profile={me} />}
        <Screen path={props.path} />
      </main>
    </div>
  );
}

function Screen(props: { path: string }) {
  const path = props.path;
  if (path === INVITATION) return <AcceptInvitation />; // joining another organisation
  if (path === VERIFICATION) return <VerifyEmail signedIn />;
  if (path.startsWith("/entities/")) return <EntityTimeline id={decodeURIComponent(path.slice(10))} />;
  switch (path) {
    case "/maps":
      return <Explorer />;
    case "/connections":
      return <Connections />;
    case CONNECT_PATH:
      return <ConfirmConnect />;
    case "/integrations":
      return <Integrations />;
    case "/entities":
      return <Entities />;
    case "/import":
      return <ImportFile />;
    case "/members":
      return <Members />;
    case "/api-keys":
      return <ApiKeys />;
    case "/audit":
      return <AuditLog />;
    case "/account":
      return <Account />;
    default:
      return (
        <section class="page">
          <h1>Not found</h1>
          <p>
            There is no screen at {path}. <Link to="/maps">Go to the process maps</Link>.
          </p>
        </section>
      );
  }
}

function TenantSwitch(props: { me: Profile }) {
  const { me } = props;
  if (me.tenants.length < 2) return <span class="tenant">{me.tenant.name}</span>;
  return (
    <label class="tenant">
      <span class="visually-hidden">Organisation</span>
      <select
        value={me.tenant.id}
        onChange={(event) => void switchTenant((event.target as HTMLSelectElement).value)}
      >
        {me.tenants.map((t) => (
          <option key={t.tenant_id} value={t.tenant_id}>
            {t.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function FeedIndicator() {
  const status = useFeedStatus();
  const words = { live: "Live", connecting: "Connecting…", offline: "Offline", stopped: "Offline" }[status];
  return (
    <span class={`feed-status ${status}`} role="status" aria-live="polite" title="Live updates from Atlas">
      <span aria-hidden="true" class="dot" /> {words}
    </span>
  );
}
