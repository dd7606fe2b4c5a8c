// The map's SVG pieces: activity boxes, paths with their labels, start and end markers.
// Every activity and path is a focusable button; nothing is told by colour alone.
import { formatCount, formatDuration } from "./format";
import { wrapLabel, type Box, type Point } from "./layout";
import type { MapEdge, MapNode, MapViewKind, Metric } from "./types";

export const METRIC_WORD: Record<Metric, string> = { mean: "mean", median: "median", p90: "90th percentile" };

function activate(event: KeyboardEvent, open: () => void): void {
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    open();
  }
}

export function nodeLabel(node: MapNode): string {
  return `Activity ${node.activity}, ${formatCount(node.count)} ${node.count === 1 ? "time" : "times"}`;
}

export function edgeLabel(edge: MapEdge, metric: Metric, bottleneck: number): string {
  const times = `${formatCount(edge.count)} ${edge.count === 1 ? "time" : "times"}`;
  const wait = edge.duration ? `, ${METRIC_WORD[metric]} ${formatDuration(edge.duration[metric])}` : "";
  const slow = bottleneck === 1 ? ", slowest path" : bottleneck > 1 ? `, bottleneck ${bottleneck}` : "";
  return `Path from ${edge.source} to ${edge.target}, ${times}${wait}${slow}`;
}

export function ActivityNode(props: {
  node: MapNode;
  box: Box;
  view: MapViewKind;
  intensity: number;
  selected: boolean;
  onOpen: () => void;
}) {
  const { node, box, view } = props;
  const lines = wrapLabel(node.activity);
  const shade = view === "frequency" ? Math.round(245 - props.intensity * 60) : 255;
  const fill = view === "frequency" ? `rgb(${shade + 2}, ${Math.min(255, shade + 8)}, 255)` : "#ffffff";
  // The words are drawn over the focusable box, not inside it, and hidden from assistive
  // technology: the box's label says them whole (a wrapped name would otherwise read as one
  // run-together word, which axe rightly reports).
  return (
    <>
    <g
      class={`map-node${props.selected ? " selected" : ""}`}
      data-testid="map-node"
      data-activity={node.activity}
      transform={`translate(${box.x} ${box.y})`}
      tabindex={0} // SVG attributes are case-sensitive: "tabIndex" would do nothing
      role="button"
      aria-label={nodeLabel(node)}
      onClick={props.onOpen}
      onKeyDown={(event) => activate(event, props.onOpen)}
    >
      <rect class="ring" x={-4} y={-4} width={box.width + 8} height={box.height + 8} rx={12} fill="none" />
      <rect width={box.width} height={box.height} rx={8} fill={fill} stroke="#1b2330" stroke-width={props.selected ? 3 : 1.2} />
    </g>
    <g class="map-node-words" transform={`translate(${box.x} ${box.y})`} aria-hidden="true">
      <text x={box.width / 2} y={22} text-anchor="middle" class="map-node-name">
        {lines.map((line, i) => (
          <tspan key={i} x={box.width / 2} dy={i === 0 ? 0 : 17}>
            {line}
          </tspan>
        ))}
      </text>
      {view === "frequency" ? (
        <text x={box.width / 2} y={box.height - 10} text-anchor="middle" class="map-node-figure">
          {formatCount(node.count)}
        </text>
      ) : null}
    </g>
    </>
  );
}

/** The point halfway along a polyline, where the path's label goes. */
export function midpoint(points: Point[]): Point {
  if (points.length === 0) return { x: 0, y: 0 };
  let total = 0;
  for (let i = 1; i < points.length; i++) total += dist(points[i - 1]!, points[i]!);
  let left = total / 2;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const d = dist(a, b);
    if (d >= left && d > 0) return { x: a.x + ((b.x - a.x) * left) / d, y: a.y + ((b.y - a.y) * left) / d };
    left -= d;
  }
  return points[0]!;
}

function dist(a: Point, b: Point): number {
  return Math.hypot(b.x - a.x, b.y - a.y);
}

export function pathData(points: Point[]): string {
  return points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(" ");
}

export function PathEdge(props: {
  edge: MapEdge;
  points: Point[];
  view: MapViewKind;
  metric: Metric;
  width: number;
  bottleneck: number;
  showLabel: boolean;
  selected: boolean;
  onOpen: () => void;
}) {
  const { edge, points, bottleneck } = props;
  const mid = midpoint(points);
  const figure =
    props.view === "frequency" ? formatCount(edge.count) : formatDuration(edge.duration ? edge.duration[props.metric] : null);
  const marker = bottleneck === 1 ? "⚠ slowest" : bottleneck > 1 ? `⚠ slow #${bottleneck}` : "";
  const textWidth = Math.max(figure.length, marker.length) * 7 + 10;
  // The figure and the marker are drawn beside the focusable path and hidden from assistive
  // technology: the path's own label says them in words (axe rightly objects to a visible
  // "⚠ slowest" that is not part of a button's accessible name).
  return (
    <>
    <g
      class={`map-edge${bottleneck ? " bottleneck" : ""}${props.selected ? " selected" : ""}`}
      data-testid="map-edge"
      data-source={edge.source}
      data-target={edge.target}
      tabindex={0} // SVG attributes are case-sensitive: "tabIndex" would do nothing
      role="button"
      aria-label={edgeLabel(edge, props.metric, bottleneck)}
      onClick={props.onOpen}
      onKeyDown={(event) => activate(event, props.onOpen)}
    >
      <path class="hit" d={pathData(points)} fill="none" stroke="transparent" stroke-width={Math.max(12, props.width + 8)} />
      <path
        class="line"
        d={pathData(points)}
        fill="none"
        stroke={bottleneck ? "#b3261e" : "#4a5568"}
        stroke-width={props.width}
        stroke-dasharray={bottleneck ? "9 5" : undefined}
        marker-end={bottleneck ? "url(#map-arrow-bad)" : "url(#map-arrow)"}
      />
    </g>
      {props.showLabel ? (
        <g
          transform={`translate(${mid.x} ${mid.y})`}
          class={`map-edge-label${bottleneck ? " bottleneck" : ""}`}
          data-testid="map-edge-label"
          data-source={edge.source}
          data-target={edge.target}
          aria-hidden="true"
          onClick={props.onOpen}
        >
          <rect x={-textWidth / 2} y={marker ? -18 : -10} width={textWidth} height={marker ? 34 : 19} rx={4} fill="#ffffff" fill-opacity={0.92} />
          <text text-anchor="middle" y={marker ? -5 : 4}>
            {figure}
          </text>
          {marker ? (
            <text text-anchor="middle" y={11} class="map-edge-marker">
              {marker}
            </text>
          ) : null}
        </g>
      ) : null}
    </>
  );
}

export function Terminal(props: { kind: "start" | "end"; box: Box }) {
  const { box } = props;
  const r = box.width / 2;
  return (
    <g class={`map-terminal ${props.kind}`} transform={`translate(${box.x + r} ${box.y + r})`}>
      <title>{props.kind === "start" ? "Process start" : "Process end"}</title>
      <circle r={r} fill={props.kind === "start" ? "#1d6b3a" : "#1b2330"} />
      {props.kind === "start" ? <path d="M-5 -8 L9 0 L-5 8 Z" fill="#ffffff" /> : <rect x={-6} y={-6} width={12} height={12} fill="#ffffff" />}
      <text x={r + 6} y={4} class="map-terminal-label">
        {props.kind === "start" ? "Start" : "End"}
      </text>
    </g>
  );
}

export function TerminalEdge(props: { points: Point[]; count: number; showLabel: boolean }) {
  const mid = midpoint(props.points);
  const text = formatCount(props.count);
  return (
    <g class="map-terminal-edge" aria-hidden="true">
      <path d={pathData(props.points)} fill="none" stroke="#8a94a6" stroke-width={1.2} stroke-dasharray="3 3" marker-end="url(#map-arrow)" />
      {props.showLabel ? (
        <g transform={`translate(${mid.x} ${mid.y})`} class="map-edge-label">
          <rect x={-(text.length * 7 + 10) / 2} y={-10} width={text.length * 7 + 10} height={19} rx={4} fill="#ffffff" fill-opacity={0.92} />
          <text text-anchor="middle" y={4}>
            {text}
          </text>
        </g>
      ) : null}
    </g>
  );
}

export function ArrowMarkers() {
  return (
    <defs>
      <marker id="map-arrow" viewBox="0 0 10 10" refX={9} refY={5} markerWidth={9} markerHeight={9} markerUnits="userSpaceOnUse" orient="auto">
        <path d="M0 0 L10 5 L0 10 Z" fill="#4a5568" />
      </marker>
      <marker id="map-arrow-bad" viewBox="0 0 10 10" refX={9} refY={5} markerWidth={11} markerHeight={11} markerUnits="userSpaceOnUse" orient="auto">
        <path d="M0 0 L10 5 L0 10 Z" fill="#b3261e" />
      </marker>
    </defs>
  );
}
