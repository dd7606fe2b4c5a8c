// Who hands work to whom: from the map's handoffs, with people's names from its actors.
import { Empty } from "../ui/kit";
import { formatCount, formatDuration } from "./format";
import type { Actor, Handoff } from "./types";

export function HandoffView(props: { handoffs: Handoff[]; actors: Actor[] }) {
  const names = new Map(props.actors.map((a) => [a.id, a.name || a.id]));
  const rows = [...props.handoffs].sort((a, b) => b.count - a.count).slice(0, 200);
  if (rows.length === 0) {
    return (
      <Empty title="No handoffs in this view">
        <p>Handoffs appear when consecutive activities of a case are done by different people.</p>
      </Empty>
    );
  }
  return (
    <section aria-labelledby="map-handoffs-title">
      <h2 id="map-handoffs-title">Handoffs</h2>
      <p class="small muted">Who passes work to whom, most frequent first{props.handoffs.length > rows.length ? ` (top ${rows.length})` : ""}.</p>
      <table data-testid="handoffs">
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col" class="num">Handoffs</th>
            <th scope="col" class="num">Median delay</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((h) => (
            <tr key={`${h.source}>${h.target}`}>
              <td>{names.get(h.source) ?? h.source}</td>
              <td>{names.get(h.target) ?? h.target}</td>
              <td class="num">{formatCount(h.count)}</td>
              <td class="num">{formatDuration(h.median_delay)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
