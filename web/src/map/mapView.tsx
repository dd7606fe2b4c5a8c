// The process map: laid out in the worker, drawn as SVG, panned and zoomed by wheel, drag
// or buttons. Test hooks: data-testid="process-map" with data-state="drawn", data-nodes and
// data-edges once the current layout is on screen, and performance mark "atlas:map-drawn".
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { Alert, Button } from "../ui/kit";
import type { FilteredMap } from "./coverage";
import { buildLayoutRequest, END, layoutClient, START, type Layout } from "./layout";
import { ActivityNode, ArrowMarkers, PathEdge, Terminal, TerminalEdge } from "./mapShapes";
import { fit, zoomAt, type Viewport } from "./panZoom";
import { edgeKey, type MapEdge, type MapViewKind, type Metric, type Selection } from "./types";

export interface MapViewProps {
  drawn: FilteredMap;
  order: Map<string, number>;
  view: MapViewKind;
  metric: Metric;
  /** Path key → bottleneck rank (1 = slowest). */
  bottlenecks: Map<string, number>;
  selected: Selection | null;
  onOpen: (selection: Selection) => void;
}

function useLayout(drawn: FilteredMap, order: Map<string, number>) {
  const request = useMemo(() => buildLayoutRequest(drawn, order), [drawn, order]);
  const client = layoutClient();
  const [layout, setLayout] = useState<Layout | null>(() => client.cached(request.key) ?? null);
  const [error, setError] = useState<Error | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    client.layout(request).then(
      (result) => live && result && setLayout(result),
      (reason: unknown) => live && setError(reason instanceof Error ? reason : new Error(String(reason))),
    );
    return () => {
      live = false;
    };
  }, [request.key, attempt]);
  return { request, layout, error, retry: () => setAttempt((a) => a + 1) };
}

function edgeWidth(edge: MapEdge, view: MapViewKind, metric: Metric, max: number): number {
  const value = view === "frequency" ? edge.count : edge.duration ? edge.duration[metric] : 0;
  return 1.2 + 6 * Math.sqrt(max > 0 ? Math.max(0, value) / max : 0);
}

export function MapView(props: MapViewProps) {
  const { drawn, view, metric } = props;
  const { request, layout, error, retry } = useLayout(drawn, props.order);
  const svg = useRef<SVGSVGElement>(null);
  const [viewport, setViewport] = useState<Viewport>({ x: 0, y: 0, k: 1 });
  const drag = useRef<{ id: number; x: number; y: number } | null>(null);
  const current = layout !== null && layout.key === request.key;

  const fitNow = () => {
    const box = svg.current?.getBoundingClientRect();
    if (layout && box) setViewport(fit(layout.width, layout.height, box.width, box.height));
  };
  useEffect(fitNow, [layout?.key]);

  useEffect(() => {
    if (current && typeof performance !== "undefined") performance.mark("atlas:map-drawn");
  }, [current, layout, drawn, view, metric]);

  useEffect(() => {
    const element = svg.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const box = element.getBoundingClientRect();
      setViewport((v) => zoomAt(v, Math.exp(-event.deltaY * 0.0015), event.clientX - box.left, event.clientY - box.top));
    };
    element.addEventListener("wheel", onWheel, { passive: false });
    return () => element.removeEventListener("wheel", onWheel);
  }, []);

  const zoomBy = (factor: number) => {
    const box = svg.current?.getBoundingClientRect();
    setViewport((v) => zoomAt(v, factor, (box?.width ?? 0) / 2, (box?.height ?? 0) / 2));
  };
  const onPointerDown = (event: PointerEvent) => {
    if (event.button !== 0 || (event.target as Element).closest("[data-testid]:not(svg)")) return;
    drag.current = { id: event.pointerId, x: event.clientX - viewport.x, y: event.clientY - viewport.y };
    (event.currentTarget as Element).setPointerCapture?.(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent) => {
    const d = drag.current;
    if (d && d.id === event.pointerId) setViewport((v) => ({ ...v, x: event.clientX - d.x, y: event.clientY - d.y }));
  };
  const endDrag = () => {
    drag.current = null;
  };

  const maxValue = useMemo(() => {
    let max = 0;
    for (const e of drawn.edges) max = Math.max(max, view === "frequency" ? e.count : e.duration ? e.duration[metric] : 0);
    return max;
  }, [drawn, view, metric]);
  const maxCount = Math.max(1, ...drawn.nodes.map((n) => n.count));
  const showLabels = viewport.k >= 0.3; // unreadable below that: the table view has every figure
  const sel = props.selected;
  const nodes = layout ? drawn.nodes.filter((n) => layout.nodes.has(n.activity)) : [];
  const edges = layout ? drawn.edges.filter((e) => layout.edges.has(edgeKey(e.source, e.target))) : [];

  return (
    <div class="map-canvas">
      <div class="map-toolbar" role="group" aria-label="Zoom">
        <Button onClick={() => zoomBy(1.25)}>Zoom in</Button>
        <Button onClick={() => zoomBy(0.8)}>Zoom out</Button>
        <Button onClick={fitNow}>Fit</Button>
        {!current && !error ? <span class="muted small" role="status">Laying out the map…</span> : null}
      </div>
      {error ? (
        <Alert kind="error" title="The map could not be laid out">
          <p>{error.message} The table view below still lists every activity and path.</p>
          <Button onClick={retry}>Try again</Button>
        </Alert>
      ) : null}
      <svg
        ref={svg}
        class="map-svg"
        data-testid="process-map"
        data-state={current ? "drawn" : "layout"}
        data-nodes={current ? nodes.length : undefined}
        data-edges={current ? edges.length : undefined}
        aria-label={`Process map: ${nodes.length} activities, ${edges.length} paths`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
      >
        <ArrowMarkers />
        <g transform={`translate(${viewport.x} ${viewport.y}) scale(${viewport.k})`}>
          {layout
            ? drawn.starts.map((s) => {
                const points = layout.edges.get(edgeKey(START, s.activity));
                return points ? <TerminalEdge key={`s${s.activity}`} points={points} count={s.count} showLabel={showLabels && view === "frequency"} /> : null;
              })
            : null}
          {layout
            ? drawn.ends.map((s) => {
                const points = layout.edges.get(edgeKey(s.activity, END));
                return points ? <TerminalEdge key={`e${s.activity}`} points={points} count={s.count} showLabel={showLabels && view === "frequency"} /> : null;
              })
            : null}
          {edges.map((e) => {
            const key = edgeKey(e.source, e.target);
            return (
              <PathEdge
                key={key}
                edge={e}
                points={layout?.edges.get(key) ?? []}
                view={view}
                metric={metric}
                width={edgeWidth(e, view, metric, maxValue) + (props.bottlenecks.has(key) ? 2 : 0)}
                bottleneck={props.bottlenecks.get(key) ?? 0}
                showLabel={showLabels}
                selected={sel?.kind === "edge" && sel.source === e.source && sel.target === e.target}
                onOpen={() => props.onOpen({ kind: "edge", source: e.source, target: e.target })}
              />
            );
          })}
          {nodes.map((n) => (
            <ActivityNode
              key={n.activity}
              node={n}
              box={layout!.nodes.get(n.activity)!}
              view={view}
              intensity={Math.sqrt(n.count / maxCount)}
              selected={sel?.kind === "node" && sel.activity === n.activity}
              onOpen={() => props.onOpen({ kind: "node", activity: n.activity })}
            />
          ))}
          {layout?.nodes.get(START) ? <Terminal kind="start" box={layout.nodes.get(START)!} /> : null}
          {layout?.nodes.get(END) ? <Terminal kind="end" box={layout.nodes.get(END)!} /> : null}
        </g>
      </svg>
    </div>
  );
}
