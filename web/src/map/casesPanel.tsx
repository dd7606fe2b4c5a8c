// Drill-down: the cases behind an activity or a path, each record's deep link, and its
// original fetched live from the provider on demand (never stored). Escape closes.
import { providerName } from "../screens/words";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import { describe } from "../api/problem";
import { Button, ErrorState, Link, Loading } from "../ui/kit";
import { useLoad } from "../ui/use";
import { formatCount, formatDateTime, formatDuration } from "./format";
import type { CaseRecord, CasesResponse, Selection } from "./types";

const LIMIT = 50;

export function CasesPanel(props: { selection: Selection; query: Record<string, string | string[] | null>; onClose: () => void }) {
  const { selection } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  const title = selection.kind === "node" ? `Cases with “${selection.activity}”` : `Cases going ${selection.source} → ${selection.target}`;
  const where = selection.kind === "node" ? { activity: selection.activity } : { source: selection.source, target: selection.target };
  const cases = useLoad(
    (signal) => api.get<CasesResponse>("/api/v1/graph/process-map/cases", { ...props.query, ...where, limit: LIMIT }, signal),
    [JSON.stringify(where), JSON.stringify(props.query)],
  );
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    heading.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose.current();
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const data = cases.data;
  return (
    <aside class="card cases-panel" role="region" aria-labelledby="map-cases-title" data-testid="cases-panel">
      <div class="cases-head">
        <h2 id="map-cases-title" tabIndex={-1} ref={heading}>
          {title}
        </h2>
        <Button onClick={props.onClose} aria-label="Close the cases panel">
          Close
        </Button>
      </div>
      {cases.error ? (
        <ErrorState error={cases.error} retry={cases.reload} />
      ) : !data ? (
        <Loading label="Loading cases…" />
      ) : data.cases.length === 0 ? (
        <p>No cases in this view.</p>
      ) : (
        <>
          <p class="small">
            {formatCount(data.total)} {data.total === 1 ? "case" : "cases"}
            {data.total > data.cases.length ? `; the first ${formatCount(data.cases.length)} are listed` : ""}.
          </p>
          <ul class="case-list">
            {data.cases.map((c) => (
              <li key={c.id}>
                <p class="case-name">
                  <Link to={`/entities/${encodeURIComponent(c.id)}`}>{c.name || c.id}</Link>
                </p>
                <dl class="case-facts small">
                  <dt>{selection.kind === "node" ? "Times" : "Times along this path"}</dt>
                  <dd>{formatCount(c.occurrences)}</dd>
                  {selection.kind === "edge" ? (
                    <>
                      <dt>Longest wait</dt>
                      <dd>{formatDuration(c.duration)}</dd>
                    </>
                  ) : null}
                  <dt>First</dt>
                  <dd>{formatDateTime(c.first_at)}</dd>
                  <dt>Last</dt>
                  <dd>{formatDateTime(c.last_at)}</dd>
                </dl>
                {c.records.map((r) => (
                  <RecordLine key={r.id} record={r} />
                ))}
              </li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}

function RecordLine(props: { record: CaseRecord }) {
  const { record } = props;
  const [state, setState] = useState<{ busy: boolean; text?: string; error?: string }>({ busy: false });
  const fetchOriginal = () => {
    setState({ busy: true });
    api.get<unknown>(`/api/v1/graph/entities/${encodeURIComponent(record.id)}/original`).then(
      (original) => setState({ busy: false, text: typeof original === "string" ? original : JSON.stringify(original, null, 2) }),
      (error: unknown) => setState({ busy: false, error: describe(error) }),
    );
  };
  return (
    <div class="record">
      <span class="small">
        {providerName(record.provider)} {record.source_id}
      </span>{" "}
      {record.url ? (
        <a href={record.url} target="_blank" rel="noopener noreferrer">
          Open in {providerName(record.provider)}
          <span class="visually-hidden"> (opens a new tab)</span>
        </a>
      ) : null}{" "}
      <Button busy={state.busy} onClick={fetchOriginal}>
        Fetch original
      </Button>
      {state.error ? (
        <p class="small error-text" role="alert">
          Could not fetch the original: {state.error}
        </p>
      ) : null}
      {state.text !== undefined ? (
        <>
          <pre class="original" tabIndex={0} aria-label={`Original of ${record.provider} ${record.source_id}`}>
            {state.text}
          </pre>
          <p class="small muted">Fetched live from {providerName(record.provider)} just now; Atlas does not store it.</p>
        </>
      ) : null}
    </div>
  );
}
