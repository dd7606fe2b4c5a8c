// The providers Atlas connects to: what each asks for, reads and never stores, and Connect.
import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { Provider, Started } from "../api/types";
import { Badge, Button, Empty, ErrorState, Field, Link, Loading, Page } from "../ui/kit";
import { useLoad } from "../ui/use";
import { ProblemAlert, useAction, useRole } from "./common";
import { confirmStart } from "./connectLink";

export function Integrations() {
  const role = useRole();
  const listing = useLoad((signal) => api.get<{ items: Provider[] }>("/api/v1/integrations", undefined, signal), []);
  if (listing.error) return <Page title="Integrations"><ErrorState error={listing.error} retry={listing.reload} /></Page>;
  if (!listing.data) return <Page title="Integrations"><Loading label="Loading the integrations…" /></Page>;
  const items = listing.data.items;
  return (
    <Page title="Integrations" actions={<Link to="/connections">Your connections</Link>}>
      <p class="muted">
        Atlas reads activity metadata (who did what, when) and never the content of messages, notes or tickets. Each
        card says exactly what is read and what is never stored.
      </p>
      {role === "viewer" ? (
        <p class="alert info" role="status">
          Viewers read the maps but do not connect tools. Ask an admin to change your role if you need to connect one.
        </p>
      ) : null}
      {items.length === 0 ? (
        <Empty title="No integrations are available">
          <p>This Atlas has no provider set up yet. Ask your administrator to configure one.</p>
        </Empty>
      ) : (
        <ul class="cards plain-list">
          {items.map((provider) => (
            <li key={provider.key}>
              <ProviderCard provider={provider} canConnect={role !== "viewer"} />
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}

function ProviderCard(props: { provider: Provider; canConnect: boolean }) {
  const p = props.provider;
  const [subdomain, setSubdomain] = useState("");
  const action = useAction();
  const headingId = `provider-${p.key}`;
  const connect = (event: Event) => {
    event.preventDefault();
    void action.run("connect", async () => {
      const body = p.needs_subdomain ? { provider: p.key, subdomain: subdomain.trim().toLowerCase() } : { provider: p.key };
      const started = await api.post<Started>("/api/v1/connections", body);
      confirmStart(started); // who connects to which organisation, then the provider
    });
  };
  return (
    <article class="card provider-card" data-testid="provider-card" data-provider={p.key} aria-labelledby={headingId}>
      <header class="row">
        <h2 id={headingId} class="card-title">
          {p.name}
        </h2>
        {p.personal ? <Badge tone="neutral">Personal</Badge> : <Badge tone="neutral">Company system</Badge>}
        {!p.available ? <Badge tone="warn">Not set up here</Badge> : null}
      </header>
      {p.personal ? <p class="small">Personal: only you see it unless you share it.</p> : null}
      <h3>What Atlas reads</h3>
      <p>{p.reads}</p>
      <h3>What Atlas never stores</h3>
      <p>{p.never_stores}</p>
      <details>
        <summary>Permissions Atlas asks for ({p.permissions.length})</summary>
        <ul class="scopes">
          {p.permissions.map((permission) => (
            <li key={permission.scope}>
              <code>{permission.scope}</code>: {permission.reads}
            </li>
          ))}
        </ul>
      </details>
      {!p.revocable && p.revocation_note ? <p class="small muted">On disconnect: {p.revocation_note}</p> : null}
      <ProblemAlert error={action.error} title={`${p.name} could not be connected`} />
      {p.available && props.canConnect ? (
        <form onSubmit={connect}>
          {p.needs_subdomain ? (
            <Field
              label={`Your ${p.name} subdomain`}
              name={`subdomain-${p.key}`}
              value={subdomain}
              onInput={setSubdomain}
              required
              autocomplete="off"
              hint={`For acme.${p.key}.com, enter acme.`}
            />
          ) : null}
          <Button type="submit" variant="primary" busy={action.busy === "connect"} aria-describedby={headingId}>
            Connect
          </Button>
        </form>
      ) : !p.available ? (
        <p class="small muted">An administrator must set up {p.name} on this Atlas before it can be connected.</p>
      ) : null}
    </article>
  );
}
