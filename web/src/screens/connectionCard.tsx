// One connection: its state in words, its live sync, its last and next run, and what to do.
import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { Connection, Disconnected, Run, Started } from "../api/types";
import { Alert, Badge, Button } from "../ui/kit";
import { ProblemAlert, When, useAction } from "./common";
import { confirmStart } from "./connectLink";
import { formatCount, secondsUntil, duration } from "./format";
import { type LiveSync, progressLine } from "./liveSync";
import {
  connectionBadge,
  explainRunError,
  isRateLimited,
  providerName,
  runIsActive,
  runStatusWords,
} from "./words";

export interface CardProps {
  connection: Connection;
  live: LiveSync | undefined;
  canConnect: boolean;
  /** Reload this connection over HTTP after an action. */
  refresh: (id: string) => void;
  disconnected: (result: Disconnected) => void;
}

/** The live entry from the feed, or one made from a run the server says is still active. */
function activeSync(live: LiveSync | undefined, run: Run | null | undefined): LiveSync | null {
  if (live) return live;
  if (!run || !runIsActive(run.status)) return null;
  return {
    runId: run.id,
    state: run.status === "waiting" ? "waiting" : "running",
    pages: run.streams.reduce((sum, s) => sum + s.pages, 0),
    fetched: run.fetched,
    new: run.records_new,
    changed: run.records_changed,
    deleted: run.records_deleted,
    stream: null,
    reason: run.status === "waiting" ? run.error : null,
    resumeAt: run.resume_at,
  };
}

function counts(run: Run): string {
  return [
    `${formatCount(run.fetched)} read`,
    `${formatCount(run.records_new)} new`,
    `${formatCount(run.records_changed)} changed`,
    `${formatCount(run.records_deleted)} removed`,
  ].join(" · ");
}

export function ConnectionCard(props: CardProps) {
  const c = props.connection;
  const name = providerName(c.provider);
  const run = c.sync?.latest_run ?? null;
  const syncing = activeSync(props.live, run);
  const badge = connectionBadge(c.status, Boolean(syncing));
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const failure = run && !runIsActive(run.status) && run.status !== "succeeded" ? explainRunError(run.error, c.provider) : null;
  const gone = c.status === "revoked";
  const canSync = props.canConnect && (c.status === "active" || c.status === "error");
  const canReconnect = props.canConnect && (c.status === "needs_reauth" || gone || failure?.fix === "reconnect");
  const headingId = `connection-${c.id}`;

  const syncNow = () => action.run("sync", async () => {
    await api.post<Run>(`/api/v1/connections/${c.id}/sync`);
    props.refresh(c.id);
  });
  const reconnect = () => action.run("reconnect", async () => {
    const started = await api.post<Started>(`/api/v1/connections/${c.id}/reconnect`);
    confirmStart(started);
  });
  const share = (shared: boolean) => action.run("share", async () => {
    await api.patch<Connection>(`/api/v1/connections/${c.id}`, { shared });
    props.refresh(c.id);
  });

  return (
    <article class="card connection-card" data-testid="connection-card" data-provider={c.provider} data-status={badge.key} aria-labelledby={headingId}>
      <header class="row">
        <h2 id={headingId} class="card-title">{name}</h2>
        <Badge tone={badge.tone}>{badge.words}</Badge>
        {c.personal ? <Badge tone="neutral">{c.shared ? "Personal, shared with your team" : "Personal, only you"}</Badge> : <Badge tone="neutral">Company system, shared</Badge>}
      </header>
      {c.external_account ? <p class="small muted">Account: {c.external_account}{c.subdomain ? ` (${c.subdomain})` : ""}</p> : null}
      {c.needs_review ? <p class="small">{name} granted more access than Atlas asked for; Atlas still reads only what the integration lists.</p> : null}

      {syncing ? <SyncProgress live={syncing} provider={c.provider} /> : null}

      <dl class="facts">
        <dt>Last run</dt>
        <dd>
          {run && !runIsActive(run.status) ? (
            <>
              <When at={run.finished_at ?? run.started_at ?? run.requested_at} /> — {runStatusWords(run.status)}
              <br />
              <span class="small">{counts(run)}</span>
            </>
          ) : run ? "In progress" : "None yet"}
        </dd>
        <dt>Next run</dt>
        <dd>
          {gone ? "None: disconnected" : c.status === "needs_reauth" ? "Paused until you reconnect" : c.sync?.next_run_at ? <When at={c.sync.next_run_at} /> : "Due now"}
        </dd>
      </dl>

      {failure && (failure.fix !== "wait" || run?.status === "failed") ? (
        <Alert kind="warning" title="The last sync did not finish">
          <p>{failure.message}</p>
        </Alert>
      ) : null}
      {c.status === "needs_reauth" && !failure ? (
        <Alert kind="warning" title={`${name} needs you to sign in again`}>
          <p>{name} no longer accepts Atlas's access (it was revoked, expired or a password changed). Reconnect to resume syncing.</p>
        </Alert>
      ) : null}
      {c.status === "error" ? (
        <p class="small">Atlas could not renew its access to {name} recently{c.last_error ? ` (${c.last_error})` : ""}; it retries by itself.</p>
      ) : null}

      <ProblemAlert error={action.error} />
      <div class="row actions">
        {canSync ? <Button onClick={syncNow} busy={action.busy === "sync"} disabled={Boolean(syncing)} aria-describedby={headingId}>Sync now</Button> : null}
        {canReconnect ? <Button variant={c.status === "needs_reauth" ? "primary" : undefined} onClick={reconnect} busy={action.busy === "reconnect"} aria-describedby={headingId}>Reconnect</Button> : null}
        {c.personal && !gone && props.canConnect ? (
          <Button onClick={() => share(!c.shared)} busy={action.busy === "share"} aria-describedby={headingId}>
            {c.shared ? "Stop sharing" : "Share with my team"}
          </Button>
        ) : null}
        {!gone && !confirming ? <Button variant="quiet" onClick={() => setConfirming(true)} aria-describedby={headingId}>Disconnect</Button> : null}
      </div>
      {confirming ? <DisconnectPanel connection={c} cancel={() => setConfirming(false)} done={props.disconnected} /> : null}
    </article>
  );
}

function SyncProgress(props: { live: LiveSync; provider: string }) {
  const { live } = props;
  if (live.state === "waiting") {
    const wait = secondsUntil(live.resumeAt);
    const why = isRateLimited(live.reason)
      ? `${providerName(props.provider)} asked Atlas to slow down (its rate limit).`
      : explainRunError(live.reason, props.provider)?.message ?? "The sync is waiting.";
    return (
      <div class="sync-live" role="status">
        <strong>Syncing… waiting</strong>
        <p class="small">
          {why} {live.resumeAt ? <>It resumes {wait > 0 ? `in about ${duration(wait)}` : "shortly"} (<When at={live.resumeAt} />).</> : null}
        </p>
        <p class="small">{progressLine(live)} so far</p>
      </div>
    );
  }
  return (
    <div class="sync-live" role="status">
      <strong>Syncing…</strong>
      {/* No total is known ahead of a sync: an indeterminate bar, and the counts in words. */}
      <progress aria-label="Sync in progress" />
      <p class="small">{progressLine(live)}{live.stream ? ` (now reading ${live.stream.replace(/_/g, " ")})` : ""}</p>
    </div>
  );
}

function DisconnectPanel(props: { connection: Connection; cancel: () => void; done: (result: Disconnected) => void }) {
  const c = props.connection;
  const name = providerName(c.provider);
  const [purge, setPurge] = useState(false);
  const [typed, setTyped] = useState("");
  const action = useAction();
  const confirmed = !purge || typed.trim().toLowerCase() === name.toLowerCase();
  const id = `disconnect-${c.id}`;
  const submit = (event: Event) => {
    event.preventDefault();
    if (!confirmed) return;
    void action.run("disconnect", async () => {
      props.done(await api.delete<Disconnected>(`/api/v1/connections/${c.id}`, purge ? { purge: true } : undefined));
    });
  };
  return (
    <form class="confirm" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Disconnect {name}?</h3>
      <p class="small">
        Atlas gives its access back to {name} and deletes the stored tokens. Syncing stops. What it already brought into
        Atlas stays, unless you choose otherwise below.
      </p>
      <label class="inline check">
        <input type="checkbox" checked={purge} onChange={(e) => setPurge((e.target as HTMLInputElement).checked)} />{" "}
        Also delete everything it brought into Atlas (records and activities; this cannot be undone)
      </label>
      {purge ? (
        <div class="field">
          <label for={`${id}-typed`}>Type {name} to confirm</label>
          <input id={`${id}-typed`} value={typed} autoComplete="off" onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        </div>
      ) : null}
      <ProblemAlert error={action.error} />
      <div class="row">
        <Button type="submit" variant="danger" disabled={!confirmed} busy={action.busy === "disconnect"}>Disconnect</Button>
        <Button onClick={props.cancel}>Cancel</Button>
      </div>
    </form>
  );
}
