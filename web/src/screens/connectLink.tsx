// The step between "Connect" and the provider: who is connecting, to which organisation.
//
// A start link (/connect#<ticket>) is useless to anyone but the member who started it: the
// ticket opens only with their session, and opening binds this browser to the flow (a cookie the
// provider's callback must bring back). So a person sent someone else's link is told so here and
// never reaches the provider. The ticket lives in the fragment (never sent to a server) and is
// moved to this tab's session storage at once, so it survives signing in but not the tab.
import { useEffect, useState } from "preact/hooks";
import { request } from "../api/client";
import type { Started } from "../api/types";
import { navigate } from "../router";
import { Alert, Button, Link, Loading, Page } from "../ui/kit";
import { useProfile } from "../workspace";
import { ProblemAlert, problemCode, useAction } from "./common";
import { providerName } from "./words";

export const CONNECT_PATH = "/connect";
const KEPT = "atlas.start-ticket";
const PROVIDER = "atlas.start-provider"; // known when started here, not from a followed link

interface Opened {
  provider_url: string;
  provider: string;
  connection_id: string;
}

/** Move a start ticket from the address bar into this tab's storage (call before signing in). */
export function keepStartTicket(): void {
  if (window.location.pathname !== CONNECT_PATH || !window.location.hash) return;
  sessionStorage.setItem(KEPT, decodeURIComponent(window.location.hash.slice(1)));
  sessionStorage.removeItem(PROVIDER);
  window.history.replaceState(null, "", CONNECT_PATH);
}

/** After starting (or reconnecting): to the confirmation, without a page load when it is ours. */
export function confirmStart(started: Started): void {
  sessionStorage.setItem(KEPT, started.start_ticket);
  sessionStorage.setItem(PROVIDER, started.provider);
  const link = new URL(started.authorization_url, window.location.href);
  if (link.origin === window.location.origin) navigate(CONNECT_PATH);
  else window.location.assign(started.authorization_url);
}

export function ConfirmConnect() {
  const me = useProfile();
  const action = useAction();
  const [ticket, setTicket] = useState<string | null>(null);
  useEffect(() => {
    keepStartTicket();
    setTicket(sessionStorage.getItem(KEPT) ?? "");
  }, []);
  if (ticket === null || !me) return <Loading label="Checking the link…" />;
  if (!ticket) {
    return (
      <Page title="Connect a tool">
        <Alert kind="info" title="There is nothing to continue here">
          <p>Connections are started from Integrations.</p>
        </Alert>
        <Link to="/integrations">Go to Integrations</Link>
      </Page>
    );
  }
  const forget = () => {
    sessionStorage.removeItem(KEPT);
    sessionStorage.removeItem(PROVIDER);
  };
  const provider = sessionStorage.getItem(PROVIDER);
  const title = provider ? `Connect ${providerName(provider)}` : "Connect a tool";
  const go = () =>
    action.run("open", async () => {
      const opened = await request<Opened>("/api/v1/oauth/start", {
        method: "POST",
        body: { ticket },
        withCookies: true,
      });
      forget();
      window.location.assign(opened.provider_url); // back at /connections when it is done
    });
  const cancel = () => {
    forget();
    navigate("/integrations", { replace: true });
  };
  const notYours = problemCode(action.error) === "integrations.start_link_not_yours";
  return (
    <Page title={title}>
      <p>
        The account you approve at the provider next will be linked to the Atlas account{" "}
        <strong data-testid="connect-as">{me.user.email}</strong> in the organisation{" "}
        <strong data-testid="connect-to">{me.tenant.name}</strong>.
      </p>
      <p class="muted">
        Only continue if you started connecting yourself, just now. If someone sent you this link, cancel: it would
        link your provider account to their organisation.
      </p>
      <ProblemAlert error={action.error} title={notYours ? "This link is not yours" : "The connection could not continue"} />
      <div class="row">
        <Button variant="primary" onClick={() => void go()} busy={action.busy === "open"} disabled={notYours}>
          Continue to the provider
        </Button>
        <Button variant="quiet" onClick={cancel}>
          Cancel
        </Button>
      </div>
    </Page>
  );
}
