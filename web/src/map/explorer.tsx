// The process map explorer (/maps): pick an object type, filter by sliders, time window and
// variants, read the map by frequency or performance, drill into the cases behind any
// activity or path, and see who hands work to whom. All view state is in the URL.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import { useFeedEvents } from "../live";
import { navigate, useLocation } from "../router";
import { Button, Empty, ErrorState, Link, Loading, Page } from "../ui/kit";
import { useLoad } from "../ui/use";
import { CasesPanel } from "./casesPanel";
import { MetricSelect, Sliders, TimeWindow, TypePicker, ViewToggle } from "./controls";
import { activityOrder, filterMap } from "./coverage";
import { dayToInstant, formatDateTime } from "./format";
import { HandoffView } from "./handoffs";
import { layoutClient } from "./layout";
import { MapView } from "./mapView";
import { effectivePaths, readState, writeState, type ExplorerState } from "./state";
import { BottleneckList, Summary, TableView } from "./tableView";
import { edgeKey, type MapResponse, type ObjectTypesResponse, type Selection } from "./types";
import { VariantPanel } from "./variantPanel";
import { variantParams } from "./variants";

const TOP_VARIANTS = 1000;
const REFRESH_DEBOUNCE_MS = 1000;

export function Explorer() {
  const location = useLocation();
  const state = readState(location.query);
  const change = (changes: Partial<ExplorerState>, push = false) => {
    const query = writeState(new URLSearchParams(window.location.search), changes);
    navigate(query ? `${window.location.pathname}?${query}` : window.location.pathname, { replace: !push });
  };
  useEffect(() => layoutClient().warm(), []);

  // A bookmarked type needs no wait for the list of types: its map is asked for at once.
  useState(() => state.type && prefetch({ object_type: state.type, from: dayToInstant(state.from, "from"), to: dayToInstant(state.to, "to") }));
  const types = useLoad((signal) => api.get<ObjectTypesResponse>("/api/v1/graph/process-map/object-types", undefined, signal), []);
  const list = types.data?.object_types ?? [];
  const type = state.type && list.some((t) => t.type === state.type) ? state.type : list[0]?.type ?? null;

  if (types.error && !types.data) {
    return (
      <Page title="Process maps">
        <ErrorState error={types.error} retry={types.reload} />
      </Page>
    );
  }
  if (!types.data) {
    return (
      <Page title="Process maps">
        <Loading label="Loading object types…" />
      </Page>
    );
  }
  if (!type) {
    return (
      <Page title="Process maps">
        <Empty title="No process data yet">
          <p>Process maps are drawn from the activities Atlas has recorded. Bring some in first:</p>
          <p class="row center">
            <Link to="/connections" class="button primary">
              Connect a tool
            </Link>
            <Link to="/import" class="button">
              Import an event log
            </Link>
          </p>
        </Empty>
      </Page>
    );
  }
  return <TypeExplorer key={type} state={state} type={type} types={types.data} change={change} />;
}

const MAP_PATH = "/api/v1/graph/process-map";
type MapScope = { object_type: string; from: string | null; to: string | null };
let prefetched: { key: string; map: Promise<MapResponse> } | null = null;

function prefetch(scope: MapScope): void {
  const map = api.get<MapResponse>(MAP_PATH, { ...scope, top: TOP_VARIANTS });
  map.catch(() => undefined); // the explorer's own request reports errors
  prefetched = { key: JSON.stringify(scope), map };
}

/** The prefetched map for exactly this scope, once; later loads (live refresh) ask afresh. */
function takePrefetched(scope: MapScope): Promise<MapResponse> | null {
  const hit = prefetched && prefetched.key === JSON.stringify(scope) ? prefetched.map : null;
  prefetched = null;
  return hit;
}

function TypeExplorer(props: { state: ExplorerState; type: string; types: ObjectTypesResponse; change: (c: Partial<ExplorerState>, push?: boolean) => void }) {
  const { state, type, change } = props;
  const span = { from: dayToInstant(state.from, "from"), to: dayToInstant(state.to, "to") };
  const scope = { object_type: type, from: span.from, to: span.to };
  const variants = variantParams(state.variants);
  const variantKey = variants.join("\n");
  const [tick, setTick] = useState(0);
  const [updatedAt, setUpdatedAt] = useState<string | null>(null);

  const whole = useLoad(
    (signal) => takePrefetched(scope) ?? api.get<MapResponse>(MAP_PATH, { ...scope, top: TOP_VARIANTS }, signal),
    [type, span.from, span.to, tick],
  );
  const restricted = useLoad(
    (signal) =>
      variants.length
        ? api.get<MapResponse>("/api/v1/graph/process-map", { ...scope, top: TOP_VARIANTS, variant: variants }, signal)
        : Promise.resolve(null),
    [type, span.from, span.to, variantKey, tick],
  );

  // Live refresh: a graph change for this type (or any type) reloads the map, debounced.
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refreshing = useRef(false);
  useFeedEvents(["graph.changed"], (event) => {
    const types = event.data.object_types;
    if (Array.isArray(types) && !types.includes(type)) return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      refreshing.current = true;
      setTick((t) => t + 1);
    }, REFRESH_DEBOUNCE_MS);
  });
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  useEffect(() => {
    if (refreshing.current && !whole.loading && !restricted.loading) {
      refreshing.current = false;
      setUpdatedAt(new Date().toISOString());
    }
  }, [whole.loading, restricted.loading]);

  const [selection, setSelection] = useState<Selection | null>(null);
  const base = whole.data?.map;
  const shown = variants.length ? restricted.data?.map : base;
  const order = useMemo(() => (base ? activityOrder(base) : new Map<string, number>()), [base]);
  const paths = effectivePaths(state, shown?.edges.length ?? 0);
  const drawn = useMemo(() => (shown ? filterMap(shown, state.activities, paths) : null), [shown, state.activities, paths]);
  const bottlenecks = useMemo(() => {
    const ranks = new Map<string, number>();
    if (!shown || !drawn) return ranks;
    const visible = new Set(drawn.edges.map((e) => edgeKey(e.source, e.target)));
    for (const e of shown.bottlenecks) {
      const key = edgeKey(e.source, e.target);
      if (visible.has(key) && (e.duration?.total ?? 0) > 0) ranks.set(key, ranks.size + 1);
      if (ranks.size === 3) break;
    }
    return ranks;
  }, [shown, drawn]);

  const error = whole.error ?? restricted.error;
  const retry = () => setTick((t) => t + 1);
  const casesQuery = { ...scope, variant: variants };

  return (
    <Page
      title="Process maps"
      actions={
        updatedAt ? (
          <span class="small muted" role="status" title={formatDateTime(updatedAt)}>
            Updated just now
          </span>
        ) : undefined
      }
    >
      <div class="card map-controls">
        <TypePicker types={props.types.object_types} value={type} onChange={change} />
        <ViewToggle state={state} onChange={change} />
        {state.view === "performance" ? <MetricSelect value={state.metric} onChange={change} /> : null}
        <div class="segmented map-tabs" role="group" aria-label="Show">
          <Button aria-pressed={state.tab === "map"} onClick={() => change({ tab: "map" })}>
            Map
          </Button>
          <Button aria-pressed={state.tab === "handoffs"} onClick={() => change({ tab: "handoffs" })}>
            Handoffs
          </Button>
        </div>
        {drawn ? <Sliders state={{ ...state, paths }} drawn={drawn} onChange={change} /> : null}
        <TimeWindow from={state.from} to={state.to} onChange={change} />
      </div>
      {error && !base ? (
        <ErrorState error={error} retry={retry} />
      ) : !base ? (
        <Loading label="Loading the process map…" />
      ) : base.objects === 0 ? (
        <Empty title={state.from || state.to ? "No cases in this time window" : "No cases for this object type yet"}>
          {state.from || state.to ? (
            <>
              <p>Nothing happened to a {type} between these dates. Widen the window or clear it.</p>
              <Button variant="primary" onClick={() => change({ from: "", to: "" }, true)}>
                Clear the time window
              </Button>
            </>
          ) : (
            <p>
              Activities appear here as your tools report them. <Link to="/connections">Check your connections</Link>.
            </p>
          )}
        </Empty>
      ) : (
        <>
          {error ? <ErrorState error={error} retry={retry} /> : null}
          {shown ? <Summary map={shown} /> : null}
          {whole.loading || restricted.loading ? <Loading label="Updating…" /> : null}
          {state.tab === "handoffs" ? (
            shown ? <HandoffView handoffs={shown.handoffs} actors={(variants.length ? restricted.data : whole.data)?.actors ?? []} /> : null
          ) : (
            <div class="map-layout">
              <div class="map-main">
                {!shown || !drawn ? (
                  <Loading label="Loading the selected variants…" />
                ) : shown.objects === 0 ? (
                  <Empty title="No cases follow the selected variants in this view">
                    <Button onClick={() => change({ variants: [] }, true)}>Show all variants</Button>
                  </Empty>
                ) : (
                  <>
                    <MapView
                      drawn={drawn}
                      order={order}
                      view={state.view}
                      metric={state.metric}
                      bottlenecks={bottlenecks}
                      selected={selection}
                      onOpen={setSelection}
                    />
                    <BottleneckList bottlenecks={shown.bottlenecks} metric={state.metric} />
                    <TableView drawn={drawn} metric={state.metric} />
                  </>
                )}
              </div>
              <div class="map-side">
                {selection ? (
                  <CasesPanel
                    key={JSON.stringify(selection)}
                    selection={selection}
                    query={casesQuery}
                    onClose={() => setSelection(null)}
                  />
                ) : null}
                <VariantPanel map={base} selected={state.variants} onSelect={(v) => change({ variants: v }, true)} />
              </div>
            </div>
          )}
        </>
      )}
    </Page>
  );
}
