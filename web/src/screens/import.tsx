// Import an event log (OCEL 2.0 JSON or XES, optionally gzipped), with its progress live from
// the feed, and a way on to the map it feeds.
import { useRef, useState } from "preact/hooks";
import { request } from "../api/client";
import type { ImportStatus, ImportSummary } from "../api/types";
import { useFeedEvents } from "../live";
import { Alert, Button, Field, Link, Page } from "../ui/kit";
import { explainProblem, problemCode, problemStatus, useRole } from "./common";
import { formatBytes, formatCount, percent, ratio } from "./format";
import { type ImportProgress, STARTING, foldImport } from "./liveImport";
import { importErrorWords, managesMembers } from "./words";

const ACCEPT = ".json,.jsonocel,.xes,.gz";
const POLL_MS = 1000; // the feed tells progress as it happens; the poll is how the end is read

// The upload is accepted (202) and a worker runs it: its status is polled until it ends.
async function importEnded(id: string): Promise<ImportStatus> {
  for (;;) {
    const status = await request<ImportStatus>(`/api/v1/graph/imports/${encodeURIComponent(id)}`);
    if (status.state === "succeeded" || status.state === "failed") return status;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function looksLikeXes(name: string): boolean {
  return /\.xes(\.gz)?$/i.test(name);
}

export function ImportFile() {
  const role = useRole();
  const [file, setFile] = useState<File | null>(null);
  const [objectType, setObjectType] = useState("case");
  const [importId, setImportId] = useState<string | null>(null);
  const [progress, setProgress] = useState<ImportProgress>(STARTING);
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const idRef = useRef<string | null>(null);

  useFeedEvents(["import.progress", "import.finished"], (event) => {
    const id = idRef.current;
    if (id) setProgress((current) => foldImport(current, event, id));
  });

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file) return;
    const id = crypto.randomUUID();
    idRef.current = id;
    setImportId(id);
    setProgress({ ...STARTING, totalBytes: file.size });
    setSummary(null);
    setFailure(null);
    setBusy(true);
    const type = objectType.trim() || "case";
    try {
      await request<ImportStatus>(`/api/v1/graph/imports?object_type=${encodeURIComponent(type)}`, {
        method: "POST",
        raw: file,
        headers: { "Content-Type": "application/octet-stream", "X-Import-Id": id, "X-File-Name": file.name },
      });
      const ended = await importEnded(id);
      if (ended.state === "failed" || !ended.summary) {
        setProgress((current) => ({ ...current, state: "failed", code: ended.code ?? current.code }));
        return;
      }
      const done = ended.summary;
      setSummary(done);
      setProgress((current) => ({ ...current, state: "done", events: done.events, bytesRead: done.bytes, totalBytes: done.bytes, format: done.format }));
    } catch (reason) {
      setFailure(reason);
      setProgress((current) => ({ ...current, state: "failed", code: problemCode(reason) ?? current.code }));
    } finally {
      setBusy(false);
    }
  };

  const xes = file ? looksLikeXes(file.name) : false;
  const mapType = summary?.format === "ocel" ? "" : objectType.trim() || "case";
  return (
    <Page title="Import an event log">
      <p>
        Bring in a process log exported from another tool: <strong>OCEL 2.0 JSON</strong> (.json, .jsonocel) or{" "}
        <strong>XES</strong> (.xes), either optionally gzipped (.gz), up to 512 MiB. Its events join the context graph
        and the process maps.
      </p>
      {!managesMembers(role) ? (
        <Alert kind="info" title="Only owners and admins can import files">
          <p>Ask an owner or admin of your organisation to import this log.</p>
        </Alert>
      ) : null}
      <form class="card" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="import-file">Event log file</label>
          <input
            id="import-file"
            type="file"
            accept={ACCEPT}
            required
            aria-describedby="import-file-hint"
            onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)}
          />
          <p class="hint" id="import-file-hint">
            {file ? `${file.name}, ${formatBytes(file.size)}` : "The format is recognised from the file's content."}
          </p>
        </div>
        <Field
          label="Object type (XES only)"
          name="object_type"
          value={objectType}
          onInput={setObjectType}
          autocomplete="off"
          hint={`XES logs have one kind of case; name it (e.g. "order", "ticket"). OCEL files name their own object types.${xes ? "" : " Ignored for OCEL files."}`}
        />
        <Button type="submit" variant="primary" busy={busy} disabled={!file}>Import</Button>
      </form>
      {importId ? <ImportStatus progress={progress} summary={summary} failure={failure} mapType={mapType} /> : null}
    </Page>
  );
}

function ImportStatus(props: { progress: ImportProgress; summary: ImportSummary | null; failure: unknown; mapType: string }) {
  const { progress, summary, failure } = props;
  const share = ratio(progress.bytesRead, progress.totalBytes);
  if (failure || progress.state === "failed") {
    const status = problemStatus(failure);
    const message = status === 403
      ? "Only owners and admins can import files. Ask one of them to import it."
      : progress.code
        ? importErrorWords(progress.code)
        : explainProblem(failure);
    const detail = failure && status !== 403 && progress.code ? explainProblem(failure) : null;
    return (
      <Alert kind="error" title="The import did not finish">
        <p>{message}</p>
        {detail && detail !== message ? <p class="small">{detail}</p> : null}
        <p class="small">Nothing from this file was kept. Fix the file and import it again.</p>
      </Alert>
    );
  }
  if (progress.state === "done" || summary) {
    const events = summary?.events ?? progress.events;
    const to = props.mapType ? `/maps?type=${encodeURIComponent(props.mapType)}` : "/maps";
    return (
      <Alert kind="success" title={`Imported ${formatCount(events)} ${events === 1 ? "event" : "events"}`}>
        <p>
          {summary ? `${summary.format === "ocel" ? "OCEL 2.0" : "XES"} file, ${formatBytes(summary.bytes)}, in ${summary.seconds.toFixed(1)} s. ` : ""}
          <Link to={to}>See the process map</Link>
        </p>
      </Alert>
    );
  }
  return (
    <div class="card" role="status" aria-live="polite">
      <strong>{progress.state === "uploading" ? "Uploading…" : "Importing…"}</strong>
      {share === null ? <progress aria-label="Import progress" /> : <progress aria-label="Import progress" max={1} value={share} />}
      <p class="small">
        {share === null ? "" : `${percent(share)} · `}
        {formatBytes(progress.bytesRead)} of {formatBytes(progress.totalBytes)} read · {formatCount(progress.events)} events so far
      </p>
    </div>
  );
}
