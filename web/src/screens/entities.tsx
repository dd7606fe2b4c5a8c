// The entities of the context graph (people, companies, deals, tickets…), searched and paged.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Entity, EntityPage } from "../api/types";
import { setQuery, useLocation } from "../router";
import { Button, Empty, ErrorState, Link, Loading, Page } from "../ui/kit";
import { ProblemAlert, useAction } from "./common";
import { humanize, providerName } from "./words";

export { EntityTimeline } from "./entity";

const PAGE = 50;
const KNOWN_TYPES = ["person", "company", "deal", "ticket", "issue", "email_thread", "meeting", "channel", "case"];

export function Entities() {
  const location = useLocation();
  const search = location.query.get("search") ?? "";
  const type = location.query.get("type") ?? "";
  const [draft, setDraft] = useState(search);
  const [draftType, setDraftType] = useState(type);
  const [items, setItems] = useState<Entity[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const more = useAction();
  const [tick, setTick] = useState(0);

  const load = (after: string | null, signal?: AbortSignal) =>
    api.get<EntityPage>("/api/v1/graph/entities", { search, type, cursor: after, limit: PAGE }, signal);

  useEffect(() => {
    const controller = new AbortController();
    setItems(null);
    setError(null);
    load(null, controller.signal).then(
      (page) => {
        setItems(page.entities);
        setCursor(page.next_cursor);
      },
      (reason: unknown) => {
        if (!controller.signal.aborted) setError(reason);
      },
    );
    return () => controller.abort();
  }, [search, type, tick]);

  const submit = (event: Event) => {
    event.preventDefault();
    setQuery({ search: draft.trim() || null, type: draftType.trim() || null });
  };
  const loadMore = () =>
    more.run("more", async () => {
      const page = await load(cursor);
      setItems((current) => [...(current ?? []), ...page.entities]);
      setCursor(page.next_cursor);
    });
  const seenTypes = [...new Set([...KNOWN_TYPES, ...(items ?? []).map((e) => e.type)])].sort();
  const filtered = Boolean(search || type);

  return (
    <Page title="Entities">
      <form class="row align-end filters" role="search" onSubmit={submit}>
        <div class="field">
          <label for="entity-search">Name or email</label>
          <input id="entity-search" type="search" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} placeholder="e.g. Acme or ada@example.com" />
        </div>
        <div class="field">
          <label for="entity-type">Type</label>
          <input id="entity-type" list="entity-types" value={draftType} onInput={(e) => setDraftType((e.target as HTMLInputElement).value)} placeholder="Any type" aria-describedby="entity-type-hint" />
          <datalist id="entity-types">
            {seenTypes.map((t) => <option key={t} value={t}>{humanize(t)}</option>)}
          </datalist>
          <p class="hint" id="entity-type-hint">Leave empty for every type.</p>
        </div>
        <div class="field">
          <Button type="submit" variant="primary">Search</Button>
        </div>
        {filtered ? (
          <div class="field">
            <Button onClick={() => { setDraft(""); setDraftType(""); setQuery({ search: null, type: null }); }}>Clear</Button>
          </div>
        ) : null}
      </form>
      {error ? (
        <ErrorState error={error} retry={() => setTick((t) => t + 1)} />
      ) : items === null ? (
        <Loading label="Searching…" />
      ) : items.length === 0 ? (
        <Empty title={filtered ? "Nothing matches" : "No entities yet"}>
          {filtered ? (
            <p>Try part of a name or an email address, or clear the type.</p>
          ) : (
            <p>
              Entities appear once a tool has synced. <Link to="/connections">Check your connections</Link> or{" "}
              <Link to="/import">import an event log</Link>.
            </p>
          )}
        </Empty>
      ) : (
        <>
          <p class="muted small" role="status">{items.length}{cursor ? "+" : ""} {items.length === 1 ? "entity" : "entities"}</p>
          <table>
            <caption class="visually-hidden">Entities{search ? ` matching ${search}` : ""}</caption>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Source</th></tr>
            </thead>
            <tbody>
              {items.map((entity) => (
                <tr key={entity.id}>
                  <td><Link to={`/entities/${entity.id}`}>{entity.name || `Unnamed ${humanize(entity.type).toLowerCase()}`}</Link></td>
                  <td>{humanize(entity.type)}</td>
                  <td>{providerName(entity.ref.provider)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ProblemAlert error={more.error} />
          {cursor ? <Button onClick={() => void loadMore()} busy={more.busy === "more"}>Load more</Button> : null}
        </>
      )}
    </Page>
  );
}
