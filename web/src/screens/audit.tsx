// The organisation's audit log (owners and admins): who did what, when and from where, newest
// first, with filters, more on demand, and the whole tamper-evident chain as a download.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, download } from "../api/client";
import type { AuditEvent, AuditPage, Member } from "../api/types";
import { Alert, Badge, Button, Empty, ErrorState, Loading, Page } from "../ui/kit";
import { saveFile } from "../ui/save";
import { useLoad } from "../ui/use";
import { ProblemAlert, When, problemStatus, useAction } from "./common";
import {
  AUDIT_ACTIONS,
  NO_FILTERS,
  OUTCOMES,
  actorName,
  auditActionWords,
  auditQuery,
  detailWords,
  filterProblem,
  outcomeBadge,
  targetWords,
  type AuditFilters,
} from "./compliance";
import { plural } from "./format";

const PAGE_SIZE = 50;

interface Pages {
  items: AuditEvent[];
  next: string | null;
  error: unknown;
  moreError: unknown;
  loading: "first" | "more" | null;
  more: () => void;
}

function useAuditPages(query: Record<string, string> | null): Pages {
  const key = JSON.stringify(query);
  const current = useRef(key);
  current.current = key;
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [loading, setLoading] = useState<"first" | "more" | null>(null);
  useEffect(() => {
    setItems([]);
    setNext(null);
    setError(null);
    setMoreError(null);
    if (!query) {
      setLoading(null);
      return;
    }
    const controller = new AbortController();
    setLoading("first");
    api
      .get<AuditPage>("/api/v1/audit", { ...query, limit: PAGE_SIZE }, controller.signal)
      .then((page) => {
        setItems(page.items);
        setNext(page.next_cursor);
      })
      .catch((reason: unknown) => {
        if (!controller.signal.aborted) setError(reason);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(null);
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const more = () => {
    if (!query || !next || loading) return;
    const asked = key;
    setLoading("more");
    setMoreError(null);
    api
      .get<AuditPage>("/api/v1/audit", { ...query, limit: PAGE_SIZE, cursor: next })
      .then((page) => {
        if (current.current !== asked) return; // the filters changed meanwhile
        setItems((shown) => [...shown, ...page.items]);
        setNext(page.next_cursor);
      })
      .catch((reason: unknown) => {
        if (current.current === asked) setMoreError(reason);
      })
      .finally(() => {
        if (current.current === asked) setLoading(null);
      });
  };
  return { items, next, error, moreError, loading, more };
}

export function AuditLog() {
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const invalid = filterProblem(filters);
  const query = useMemo(() => (invalid ? null : auditQuery(filters)), [filters, invalid]);
  const pages = useAuditPages(query);
  const members = useLoad((signal) => api.get<Member[]>("/api/v1/tenants/current/members", undefined, signal), []);
  const byId = useMemo(() => new Map((members.data ?? []).map((m) => [m.user_id, m])), [members.data]);
  const exporting = useAction();
  const exportAll = () =>
    void exporting.run("export", async () => {
      const file = await download("/api/v1/audit/export", "atlas-audit.ndjson", "application/x-ndjson");
      saveFile(file.blob, file.name);
    });
  const set = (change: Partial<AuditFilters>) => setFilters((current) => ({ ...current, ...change }));
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);

  if (problemStatus(pages.error) === 403) {
    return (
      <Page title="Audit log">
        <Alert kind="info" title="Only owners and admins see the audit log">
          <p>Ask an owner or admin of your organisation if you need to know who changed something.</p>
        </Alert>
      </Page>
    );
  }
  return (
    <Page title="Audit log">
      <p>
        Every sign-in, change of access, connection, import and export in this organisation, newest first. Atlas
        writes each entry in the same step as the change itself and never edits or removes one (only who an erased member was, and where from, is blanked); a change made behind Atlas's back shows when the log is verified.
      </p>
      <section class="card" aria-labelledby="audit-export-title">
        <h2 id="audit-export-title">Download the whole log</h2>
        <p class="small">
          The file has one line per event after a first summary line; each event carries a fingerprint (a SHA-256
          hash) that includes the one before it, so anyone can recompute the chain, as the audit documentation
          describes, and see that nothing was changed or removed.
        </p>
        <Button onClick={exportAll} busy={exporting.busy === "export"}>Download export</Button>
        <ProblemAlert error={exporting.error} title="The log was not downloaded" />
      </section>
      <form class="filters card" aria-label="Filter the audit log" onSubmit={(event) => event.preventDefault()}>
        <div class="row align-end">
          <div class="field">
            <label for="audit-action">Action</label>
            <select id="audit-action" value={filters.action} onChange={(e) => set({ action: (e.target as HTMLSelectElement).value })}>
              <option value="">All actions</option>
              {AUDIT_ACTIONS.map(([value, words]) => (
                <option key={value} value={value}>{words}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="audit-outcome">Outcome</label>
            <select id="audit-outcome" value={filters.outcome} onChange={(e) => set({ outcome: (e.target as HTMLSelectElement).value })}>
              <option value="">Any outcome</option>
              {OUTCOMES.map(([value, words]) => (
                <option key={value} value={value}>{words}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="audit-since">From</label>
            <input id="audit-since" type="date" value={filters.since} onChange={(e) => set({ since: (e.target as HTMLInputElement).value })} />
          </div>
          <div class="field">
            <label for="audit-until">To (included)</label>
            <input id="audit-until" type="date" value={filters.until} onChange={(e) => set({ until: (e.target as HTMLInputElement).value })} />
          </div>
          <div class="field">
            <Button onClick={() => setFilters(NO_FILTERS)} disabled={!filtered}>Clear filters</Button>
          </div>
        </div>
        {invalid ? <p class="alert error" role="alert">{invalid}</p> : null}
      </form>
      {pages.error ? (
        <ErrorState error={pages.error} />
      ) : pages.loading === "first" ? (
        <Loading label="Loading the audit log…" />
      ) : invalid ? null : pages.items.length === 0 ? (
        <Empty title={filtered ? "No events match these filters" : "No events yet"}>
          <p>{filtered ? "Clear a filter or widen the dates." : "Sign-ins and changes show here as they happen."}</p>
        </Empty>
      ) : (
        <>
          <AuditTable items={pages.items} members={byId} />
          <p class="small muted" role="status">
            Showing {plural(pages.items.length, "event", "events")}{pages.next ? "; older events follow" : ""}.
          </p>
          <ProblemAlert error={pages.moreError} title="The older events did not load" />
          {pages.next ? (
            <Button onClick={pages.more} busy={pages.loading === "more"}>Load more</Button>
          ) : null}
        </>
      )}
    </Page>
  );
}

function AuditTable(props: { items: AuditEvent[]; members: Map<string, Member> }) {
  return (
    <table data-testid="audit-table">
      <caption class="visually-hidden">Audit events, newest first</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">What</th>
          <th scope="col">Target</th>
          <th scope="col">Outcome</th>
          <th scope="col">Address</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((event) => {
          const outcome = outcomeBadge(event.outcome);
          const details = detailWords(event.details);
          return (
            <tr key={event.seq} data-action={event.action}>
              <td><When at={event.at} /></td>
              <td>{actorName(event, props.members)}</td>
              <td>
                {auditActionWords(event.action, event.details)}
                {details ? <span class="muted small"> ({details})</span> : null}
              </td>
              <td>{targetWords(event, props.members)}</td>
              <td><Badge tone={outcome.tone}>{outcome.words}</Badge></td>
              <td>{event.address ? <code>{event.address}</code> : <span class="muted">—</span>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
