// Text alternatives to the drawing: the summary line, the slowest paths, and a table view of
// every drawn activity and path (kept in the page for assistive tech; a button shows it).
import { useState } from "preact/hooks";
import { Button } from "../ui/kit";
import type { FilteredMap } from "./coverage";
import { formatCount, formatDuration } from "./format";
import { METRIC_WORD } from "./mapShapes";
import type { MapEdge, Metric, ProcessMap } from "./types";

export function Summary(props: { map: ProcessMap }) {
  const { map } = props;
  return (
    <p class="map-summary" data-testid="map-summary">
      {formatCount(map.objects)} {map.objects === 1 ? "case" : "cases"} · {formatCount(map.activities)}{" "}
      {map.activities === 1 ? "activity" : "activities"} · {formatCount(map.variant_count)} {map.variant_count === 1 ? "variant" : "variants"}
    </p>
  );
}

export function BottleneckList(props: { bottlenecks: MapEdge[]; metric: Metric }) {
  const top = props.bottlenecks.slice(0, 5);
  if (top.length === 0) return null;
  return (
    <section class="card" aria-labelledby="map-bottlenecks-title">
      <h2 id="map-bottlenecks-title">Slowest paths</h2>
      <p class="small muted">By total time spent waiting between the two activities.</p>
      <ol data-testid="bottlenecks">
        {top.map((e, i) => (
          <li key={`${e.source}>${e.target}`}>
            {i === 0 ? <strong>⚠ slowest: </strong> : null}
            {e.source} → {e.target}: total {formatDuration(e.duration?.total)} · {METRIC_WORD[props.metric]}{" "}
            {formatDuration(e.duration ? e.duration[props.metric] : null)} · {formatCount(e.count)} {e.count === 1 ? "time" : "times"}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function TableView(props: { drawn: FilteredMap; metric: Metric }) {
  const [open, setOpen] = useState(false);
  const { drawn, metric } = props;
  return (
    <section class="map-table-view">
      <Button aria-expanded={open} aria-controls="map-table" onClick={() => setOpen(!open)}>
        {open ? "Hide table view" : "Table view"}
      </Button>
      <div id="map-table" data-testid="map-table" class={open ? "" : "visually-hidden"}>
        <table>
          <caption>Activities drawn ({formatCount(drawn.nodes.length)})</caption>
          <thead>
            <tr>
              <th scope="col">Activity</th>
              <th scope="col" class="num">Times</th>
              <th scope="col" class="num">Starts cases</th>
              <th scope="col" class="num">Ends cases</th>
            </tr>
          </thead>
          <tbody>
            {drawn.nodes.map((n) => (
              <tr key={n.activity}>
                <td>{n.activity}</td>
                <td class="num">{formatCount(n.count)}</td>
                <td class="num">{formatCount(drawn.starts.find((s) => s.activity === n.activity)?.count ?? 0)}</td>
                <td class="num">{formatCount(drawn.ends.find((s) => s.activity === n.activity)?.count ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table>
          <caption>Paths drawn ({formatCount(drawn.edges.length)})</caption>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col" class="num">Times</th>
              <th scope="col" class="num">Mean</th>
              <th scope="col" class="num">Median</th>
              <th scope="col" class="num">90th percentile</th>
            </tr>
          </thead>
          <tbody>
            {drawn.edges.map((e) => (
              <tr key={`${e.source}>${e.target}`}>
                <td>{e.source}</td>
                <td>{e.target}</td>
                <td class="num">{formatCount(e.count)}</td>
                <td class={`num${metric === "mean" ? " strong" : ""}`}>{formatDuration(e.duration?.mean)}</td>
                <td class={`num${metric === "median" ? " strong" : ""}`}>{formatDuration(e.duration?.median)}</td>
                <td class={`num${metric === "p90" ? " strong" : ""}`}>{formatDuration(e.duration?.p90)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
