// The explorer's controls: object type, view, metric, the two sliders and the time window.
import { Button } from "../ui/kit";
import { describeCoverage, type FilteredMap } from "./coverage";
import { formatCount } from "./format";
import type { ExplorerState } from "./state";
import type { MapViewKind, Metric, ObjectTypeInfo } from "./types";

type Change = (changes: Partial<ExplorerState>, push?: boolean) => void;

export function TypePicker(props: { types: ObjectTypeInfo[]; value: string; onChange: Change }) {
  return (
    <div class="field map-field">
      <label for="map-type">Object type</label>
      <select id="map-type" value={props.value} onChange={(e) => props.onChange({ type: (e.target as HTMLSelectElement).value, variants: [] }, true)}>
        {props.types.map((t) => (
          <option key={t.type} value={t.type}>
            {t.type} ({formatCount(t.objects)})
          </option>
        ))}
      </select>
    </div>
  );
}

const VIEWS: [MapViewKind, string][] = [
  ["frequency", "Frequency"],
  ["performance", "Performance"],
];

export function ViewToggle(props: { state: ExplorerState; onChange: Change }) {
  const { state } = props;
  return (
    <div class="map-field">
      <span class="label" id="map-view-label">View</span>
      <div class="segmented" role="group" aria-labelledby="map-view-label">
        {VIEWS.map(([view, label]) => (
          <Button key={view} aria-pressed={state.view === view} onClick={() => props.onChange({ view })}>
            {label}
          </Button>
        ))}
      </div>
    </div>
  );
}

export function MetricSelect(props: { value: Metric; onChange: Change }) {
  return (
    <div class="field map-field">
      <label for="map-metric">Duration shown</label>
      <select id="map-metric" value={props.value} onChange={(e) => props.onChange({ metric: (e.target as HTMLSelectElement).value as Metric })}>
        <option value="mean">Mean</option>
        <option value="median">Median</option>
        <option value="p90">90th percentile</option>
      </select>
    </div>
  );
}

export function Sliders(props: { state: ExplorerState & { paths: number }; drawn: FilteredMap; onChange: Change }) {
  const { state, drawn } = props;
  const folded = drawn.folded ? ` · ${formatCount(drawn.folded)} rarer ${drawn.folded === 1 ? "activity" : "activities"} folded` : "";
  const activities = `${formatCount(drawn.keptActivities)} of ${formatCount(drawn.totalActivities)} activities${folded} · ${describeCoverage(drawn.activityCoverage)}`;
  const paths = `${formatCount(drawn.keptPaths)} of ${formatCount(drawn.eligiblePaths)} paths · ${describeCoverage(drawn.pathCoverage)}`;
  return (
    <div class="map-sliders">
      <Slider id="map-activities" label="Activities" value={state.activities} text={activities}
        onChange={(activities) => props.onChange({ activities })} />
      <Slider id="map-paths" label="Paths" value={state.paths} text={paths}
        onChange={(paths) => props.onChange({ paths })} />
    </div>
  );
}

export function TimeWindow(props: { from: string; to: string; onChange: Change }) {
  return (
    <fieldset class="map-window">
      <legend>Time window (UTC)</legend>
      <div class="field map-field">
        <label for="map-from">From</label>
        <input id="map-from" type="date" value={props.from} max={props.to || undefined} onChange={(e) => props.onChange({ from: (e.target as HTMLInputElement).value }, true)} />
      </div>
      <div class="field map-field">
        <label for="map-to">To (included)</label>
        <input id="map-to" type="date" value={props.to} min={props.from || undefined} onChange={(e) => props.onChange({ to: (e.target as HTMLInputElement).value }, true)} />
      </div>
      {props.from || props.to ? <Button onClick={() => props.onChange({ from: "", to: "" }, true)}>Clear the time window</Button> : null}
    </fieldset>
  );
}

/** A percentage slider whose live text (cases covered) is also its spoken value. */
function Slider(props: { id: string; label: string; value: number; text: string; onChange: (value: number) => void }) {
  return (
    <div class="field map-field">
      <label for={props.id}>
        {props.label} ({props.value}%)
      </label>
      <input
        id={props.id}
        type="range"
        min={0}
        max={100}
        step={1}
        value={props.value}
        aria-describedby={`${props.id}-text`}
        aria-valuetext={props.text}
        onInput={(e) => props.onChange(Number((e.target as HTMLInputElement).value))}
      />
      <p class="hint" id={`${props.id}-text`} aria-live="polite">
        {props.text}
      </p>
    </div>
  );
}
