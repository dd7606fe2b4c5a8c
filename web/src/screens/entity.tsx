// One entity: its records in each source (with deep links and the original on demand), how
// they were merged, its relationships, and its timeline of activities.
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { Activity, ActivityPage, Entity, EntityDetail, MergeRecord, Original } from "../api/types";
import { Alert, Button, ErrorState, Link, Loading, Page } from "../ui/kit";
import { useLoad } from "../ui/use";
import { ProblemAlert, When, useAction, useRole } from "./common";
import { humanize, managesMembers, providerName } from "./words";

function label(entity: Entity | undefined, id: string): string {
  return entity?.name || (entity ? `Unnamed ${humanize(entity.type).toLowerCase()}` : `Record ${id.slice(0, 8)}`);
}

export function EntityTimeline(props: { id: string }) {
  const detail = useLoad((signal) => api.get<EntityDetail>(`/api/v1/graph/entities/${encodeURIComponent(props.id)}`, undefined, signal), [props.id]);
  if (detail.error) {
    return (
      <Page title="Entity">
        <ErrorState error={detail.error} retry={detail.reload} />
        <p><Link to="/entities">Back to the entities</Link></p>
      </Page>
    );
  }
  if (!detail.data) return <Page title="Entity"><Loading label="Loading the entity…" /></Page>;
  const d = detail.data;
  const known = new Map(d.members.map((m) => [m.id, m]));
  known.set(d.entity.id, d.entity);
  return (
    <Page title={label(d.entity, d.entity.id)} actions={<Link to="/entities">All entities</Link>}>
      <p class="muted">{humanize(d.entity.type)}</p>
      <h2>Records in your tools</h2>
      <ul class="plain-list">
        {d.members.map((record) => <RecordItem key={record.id} record={record} />)}
      </ul>
      <Relationships detail={d} known={known} />
      <Merges merges={d.merges} known={known} changed={detail.reload} />
      <Timeline id={d.entity.id} first={d.timeline} known={known} />
    </Page>
  );
}

function RecordItem(props: { record: Entity }) {
  const r = props.record;
  const [original, setOriginal] = useState<Original | null>(null);
  const action = useAction();
  const fetchOriginal = () =>
    action.run("original", async () => setOriginal(await api.get<Original>(`/api/v1/graph/entities/${r.id}/original`)));
  return (
    <li class="card">
      <div class="row">
        <strong>{providerName(r.ref.provider)}</strong>
        <span>{label(r, r.id)}</span>
        {r.source_url ? (
          <a href={r.source_url} target="_blank" rel="noopener noreferrer">
            Open in {providerName(r.ref.provider)}<span class="visually-hidden"> (opens in a new tab)</span>
          </a>
        ) : null}
        <Button variant="quiet" onClick={() => void fetchOriginal()} busy={action.busy === "original"}>Fetch original</Button>
      </div>
      {r.attributes.length ? (
        <dl class="facts small">
          {r.attributes.map((a, i) => (
            <Fragment key={i}>
              <dt>{humanize(a.name)}</dt>
              <dd>{String(a.value ?? "—")}</dd>
            </Fragment>
          ))}
        </dl>
      ) : null}
      <ProblemAlert error={action.error} title="The original could not be fetched" />
      {original ? (
        <div>
          <p class="small muted">Fetched live from {providerName(original.provider)} just now; Atlas never stores it.</p>
          <pre class="original" tabIndex={0} aria-label={`Original ${original.kind} from ${providerName(original.provider)}`}>
            {JSON.stringify(original.original, null, 2)}
          </pre>
          <Button variant="quiet" onClick={() => setOriginal(null)}>Hide original</Button>
        </div>
      ) : null}
    </li>
  );
}

function Relationships(props: { detail: EntityDetail; known: Map<string, Entity> }) {
  const self = new Set(props.detail.members.map((m) => m.id));
  if (props.detail.relationships.length === 0) return null;
  return (
    <>
      <h2>Relationships</h2>
      <ul>
        {props.detail.relationships.map((rel) => {
          const other = self.has(rel.source_id) ? rel.target_id : rel.source_id;
          const outgoing = self.has(rel.source_id);
          return (
            <li key={`${rel.source_id}-${rel.target_id}-${rel.qualifier}`}>
              {rel.qualifier ? `${humanize(rel.qualifier)}: ` : outgoing ? "Related to " : "Related from "}
              <Link to={`/entities/${other}`}>{label(props.known.get(other), other)}</Link>
            </li>
          );
        })}
      </ul>
    </>
  );
}

function Merges(props: { merges: MergeRecord[]; known: Map<string, Entity>; changed: () => void }) {
  const role = useRole();
  const action = useAction();
  if (props.merges.length === 0) return null;
  const undo = (merge: MergeRecord) =>
    action.run(merge.id, async () => {
      await api.post(`/api/v1/graph/merges/${merge.id}/undo`);
      props.changed();
    });
  return (
    <>
      <h2>How its records were merged</h2>
      <p class="small muted">Atlas merges records that share an email address, user, account or domain. Undoing a merge keeps them apart from then on.</p>
      <ProblemAlert error={action.error} title="The merge was not undone" />
      <ul>
        {props.merges.map((m) => (
          <li key={m.id}>
            {label(props.known.get(m.absorbed), m.absorbed)} joined {label(props.known.get(m.survivor), m.survivor)} by the same{" "}
            {m.key.kind} <code>{m.key.value}</code>, <When at={m.merged_at} />
            {m.undone_at ? <> — undone <When at={m.undone_at} /></> : managesMembers(role) ? (
              <> <Button variant="quiet" onClick={() => void undo(m)} busy={action.busy === m.id}>Undo<span class="visually-hidden"> this merge</span></Button></>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

function Timeline(props: { id: string; first: Activity[]; known: Map<string, Entity> }) {
  const [items, setItems] = useState<Activity[]>(props.first);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined); // undefined: not paged yet
  const action = useAction();
  const more = () =>
    action.run("more", async () => {
      const page = await api.get<ActivityPage>("/api/v1/graph/activities", { object: props.id, cursor: cursor ?? null, limit: 50 });
      setItems((current) => {
        const byId = new Map(current.map((a) => [a.id, a]));
        for (const a of page.activities) byId.set(a.id, a);
        return [...byId.values()].sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
      });
      setCursor(page.next_cursor);
    });
  const canPage = cursor === undefined ? props.first.length >= 50 : cursor !== null;
  return (
    <>
      <h2>Timeline</h2>
      {items.length === 0 ? (
        <Alert kind="info" title="No activities yet"><p>Activities appear as your tools sync what happened to it.</p></Alert>
      ) : (
        <table>
          <caption class="visually-hidden">Activities, oldest first</caption>
          <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Who</th><th scope="col">Source</th></tr></thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id}>
                <td><When at={a.occurred_at} /></td>
                <td>{humanize(a.type)}</td>
                <td>{a.actor_id ? <Link to={`/entities/${a.actor_id}`}>{label(props.known.get(a.actor_id), a.actor_id)}</Link> : <span class="muted">Not recorded</span>}</td>
                <td>
                  {a.source_url ? (
                    <a href={a.source_url} target="_blank" rel="noopener noreferrer">{providerName(a.ref.provider)}<span class="visually-hidden"> (opens in a new tab)</span></a>
                  ) : providerName(a.ref.provider)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ProblemAlert error={action.error} />
      {canPage ? <Button onClick={() => void more()} busy={action.busy === "more"}>Load more</Button> : null}
    </>
  );
}
