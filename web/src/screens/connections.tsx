// Your connections, live from the feed, and where the consent round trip comes back to.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Connection, Disconnected } from "../api/types";
import { useFeedEvents, useResync } from "../live";
import { navigate, setQuery, useLocation } from "../router";
import { Alert, Button, Empty, ErrorState, Link, Loading, Page } from "../ui/kit";
import { useLoad } from "../ui/use";
import { problemStatus, useRole } from "./common";
import { ConnectionCard } from "./connectionCard";
import { type LiveSyncs, foldSync } from "./liveSync";
import { TenantConnections } from "./tenantConnections";
import { managesMembers, oauthReturn, providerName } from "./words";

const KINDS = ["sync.started", "sync.progress", "sync.finished", "sync.failed", "connection.status"];

interface Returned {
  outcome: string;
  reason: string | null;
  connection: string | null;
}

export function Connections() {
  const role = useRole();
  const location = useLocation();
  const [tab, setTab] = useState<"mine" | "all">("mine");
  // The consent's answer, read once; the URL is then cleaned so a reload does not repeat it.
  const [returned, setReturned] = useState<Returned | null>(() => {
    const outcome = location.query.get("outcome");
    return outcome ? { outcome, reason: location.query.get("reason"), connection: location.query.get("connection") } : null;
  });
  useEffect(() => {
    if (location.query.has("outcome")) setQuery({ outcome: null, reason: null, connection: null });
  }, []);

  const list = useLoad((signal) => api.get<{ items: Connection[] }>("/api/v1/connections", undefined, signal), []);
  const [fresh, setFresh] = useState<Record<string, Connection>>({});
  useEffect(() => setFresh({}), [list.data]);
  const [live, setLive] = useState<LiveSyncs>({});
  const liveRef = useRef(live);
  const [notice, setNotice] = useState<string | null>(null);

  const items = (list.data?.items ?? []).map((c) => fresh[c.id] ?? c);
  const known = useRef(new Set<string>());
  known.current = new Set(items.map((c) => c.id));

  const refresh = (id: string) => {
    if (!known.current.has(id)) return list.reload(); // a new connection (the consent just ended)
    api.get<Connection>(`/api/v1/connections/${id}`).then(
      (connection) => setFresh((current) => ({ ...current, [id]: connection })),
      (error: unknown) => (problemStatus(error) === 404 ? list.reload() : undefined),
    );
  };
  useFeedEvents(KINDS, (event) => {
    const { next, reload } = foldSync(liveRef.current, event);
    liveRef.current = next;
    setLive(next);
    // Colleagues' company connections are heard too: only a status change of one we do not
    // list (the consent that just ended) is worth reloading the list for.
    if (reload && (known.current.has(reload) || event.kind === "connection.status")) refresh(reload);
  });
  useResync(() => {
    liveRef.current = {};
    setLive({});
    list.reload();
  });

  const disconnected = (result: Disconnected) => {
    const name = providerName(result.connection.provider);
    const purged = result.purged ? ` and deleted what it brought into Atlas (${result.purged.entities ?? 0} records, ${result.purged.activities ?? 0} activities)` : "";
    setNotice(`${name} is disconnected${purged}.`);
    list.reload();
  };

  const manager = managesMembers(role);
  const canConnect = role !== "viewer";
  const returnedProvider = returned?.connection ? items.find((c) => c.id === returned.connection)?.provider ?? null : null;
  const told = returned ? oauthReturn(returned.outcome, returned.reason, returnedProvider) : null;

  return (
    <Page title="Connections" actions={canConnect ? <Link to="/integrations" class="button primary">Connect a tool</Link> : null}>
      {told ? (
        <Alert kind={told.ok ? "success" : "error"} title={told.title}>
          {told.message ? <p>{told.message}</p> : null}
          <div class="row">
            {!told.ok ? <Button variant="primary" onClick={() => navigate("/integrations")}>Try again</Button> : null}
            <Button variant="quiet" onClick={() => setReturned(null)}>Dismiss</Button>
          </div>
        </Alert>
      ) : null}
      {notice ? (
        <Alert kind="success" title={notice}>
          <Button variant="quiet" onClick={() => setNotice(null)}>Dismiss</Button>
        </Alert>
      ) : null}
      {manager ? (
        <div class="segmented" role="group" aria-label="Which connections">
          <Button aria-pressed={tab === "mine"} onClick={() => setTab("mine")}>Mine</Button>
          <Button aria-pressed={tab === "all"} onClick={() => setTab("all")}>Everyone in the organisation</Button>
        </div>
      ) : null}
      {manager && tab === "all" ? (
        <TenantConnections />
      ) : list.error ? (
        <ErrorState error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading label="Loading your connections…" />
      ) : items.length === 0 ? (
        <Empty title="No connections yet">
          <p>Connect a tool such as HubSpot or Gmail: Atlas reads who did what and when, never the content.</p>
          {canConnect ? <Link to="/integrations" class="button primary">Choose a tool to connect</Link> : <p>Ask a member or an admin to connect one.</p>}
        </Empty>
      ) : (
        <ul class="cards plain-list">
          {items.map((connection) => (
            <li key={connection.id}>
              <ConnectionCard connection={connection} live={live[connection.id]} canConnect={canConnect} refresh={refresh} disconnected={disconnected} />
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
