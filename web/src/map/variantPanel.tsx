// The variant explorer: the top variants with share bars and figures; a click filters the
// map to the selected variants (the API's variant parameter).
import { useState } from "preact/hooks";
import { Button } from "../ui/kit";
import { formatCount, formatPercent } from "./format";
import type { ProcessMap } from "./types";
import { isSelected, toggleVariant, variantLabel, variantShare, type Variant } from "./variants";

const FIRST = 15;

export function VariantPanel(props: { map: ProcessMap; selected: Variant[]; onSelect: (variants: Variant[]) => void }) {
  const { map, selected } = props;
  const [all, setAll] = useState(false);
  const shown = map.variants.slice(0, all ? 100 : FIRST);
  return (
    <section class="card map-variants" aria-labelledby="map-variants-title">
      <h2 id="map-variants-title">Variants</h2>
      <p class="small muted">
        {formatCount(map.variant_count)} variants; the top {formatCount(map.variants.length)} are listed by cases. Select variants to
        draw only their cases.
      </p>
      {selected.length ? (
        <Button onClick={() => props.onSelect([])}>Show all variants</Button>
      ) : null}
      <ol class="variant-list">
        {shown.map((v, i) => {
          const share = variantShare(v, map.objects);
          const pressed = isSelected(selected, v.activities);
          return (
            <li key={i}>
              <button
                type="button"
                class="variant"
                data-testid="variant"
                aria-pressed={pressed}
                onClick={() => props.onSelect(toggleVariant(selected, v.activities))}
              >
                <span class="variant-head">
                  {pressed ? <span aria-hidden="true">✓ </span> : null}
                  {variantLabel(i, v, map.objects)} · {formatCount(v.count)} {v.count === 1 ? "case" : "cases"}
                </span>
                <span class="share-bar" aria-hidden="true">
                  <span style={{ width: `${Math.max(0.5, Math.min(100, share * 100))}%` }} />
                </span>
                <span class="variant-steps small muted">{v.activities.join(" → ")}</span>
              </button>
            </li>
          );
        })}
      </ol>
      {map.variants.length > FIRST ? (
        <Button variant="quiet" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? `Show the top ${FIRST} only` : `Show the top ${Math.min(100, map.variants.length)}`}
        </Button>
      ) : null}
      {selected.length ? (
        <p class="small">
          Showing {selected.length} selected {selected.length === 1 ? "variant" : "variants"} ·{" "}
          {formatPercent(selected.reduce((sum, v) => sum + (map.variants.find((x) => x.activities.join("\u0000") === v.join("\u0000"))?.count ?? 0), 0) / Math.max(1, map.objects))}{" "}
          of cases
        </p>
      ) : null}
    </section>
  );
}
