// Owners and admins: every connection of the organisation (who connected what; never a record).
import { api } from "../api/client";
import type { TenantConnection } from "../api/types";
import { Badge, Empty, ErrorState, Loading } from "../ui/kit";
import { useLoad } from "../ui/use";
import { When } from "./common";
import { connectionBadge, providerName } from "./words";

export function TenantConnections() {
  const list = useLoad((signal) => api.get<TenantConnection[]>("/api/v1/tenants/current/connections", undefined, signal), []);
  if (list.error) return <ErrorState error={list.error} retry={list.reload} />;
  if (!list.data) return <Loading label="Loading the organisation's connections…" />;
  if (list.data.length === 0) {
    return (
      <Empty title="Nobody has connected a tool yet">
        <p>Members connect their tools from Integrations; they appear here.</p>
      </Empty>
    );
  }
  return (
    <table>
      <caption class="visually-hidden">Every connection in the organisation</caption>
      <thead>
        <tr>
          <th scope="col">Tool</th>
          <th scope="col">Connected by</th>
          <th scope="col">Status</th>
          <th scope="col">Records</th>
          <th scope="col">Since</th>
        </tr>
      </thead>
      <tbody>
        {list.data.map((c) => {
          const badge = connectionBadge(c.status);
          return (
            <tr key={c.id}>
              <td>{providerName(c.provider)}</td>
              <td>
                {c.owner.name} <span class="muted small">({c.owner.email})</span>
              </td>
              <td>
                <Badge tone={badge.tone}>{badge.words}</Badge>
              </td>
              <td>{c.personal ? (c.shared ? "Personal, shared" : "Personal, private to its owner") : "Shared (company system)"}</td>
              <td>
                <When at={c.created_at} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
