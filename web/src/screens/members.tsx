// Who belongs to this organisation, their roles, and the invitations still open.
import { useState } from "preact/hooks";
import { api } from "../api/client";
import { currentSession } from "../api/session";
import type { Invitation, Member, Role } from "../api/types";
import { useFeedEvents, useResync } from "../live";
import { Alert, Button, Empty, ErrorState, Field, Loading, Page } from "../ui/kit";
import { useLoad } from "../ui/use";
import { ProblemAlert, When, useAction, useRole } from "./common";
import { ROLES, managesMembers, roleHint, roleWords } from "./words";

export function Members() {
  const role = useRole();
  const manager = managesMembers(role);
  const members = useLoad((signal) => api.get<Member[]>("/api/v1/tenants/current/members", undefined, signal), []);
  const invitations = useLoad(
    (signal) => (manager ? api.get<Invitation[]>("/api/v1/tenants/current/invitations", undefined, signal) : Promise.resolve([])),
    [manager],
  );
  useFeedEvents(["member.changed"], () => {
    members.reload();
    invitations.reload(); // an accepted invitation leaves the list
  });
  useResync(members.reload);
  return (
    <Page title="Members">
      {members.error ? (
        <ErrorState error={members.error} retry={members.reload} />
      ) : !members.data ? (
        <Loading label="Loading the members…" />
      ) : (
        <MemberTable members={members.data} manager={manager} ownerActing={role === "owner"} changed={members.reload} />
      )}
      <h2>Invitations</h2>
      {!manager ? (
        <p class="muted">Owners and admins invite people. Ask one of them to invite a colleague.</p>
      ) : (
        <>
          <InviteForm invited={invitations.reload} ownerActing={role === "owner"} />
          {invitations.error ? (
            <ErrorState error={invitations.error} retry={invitations.reload} />
          ) : !invitations.data ? (
            <Loading label="Loading the invitations…" />
          ) : (
            <InvitationList invitations={invitations.data} changed={invitations.reload} />
          )}
        </>
      )}
    </Page>
  );
}

function MemberTable(props: { members: Member[]; manager: boolean; ownerActing: boolean; changed: () => void }) {
  const action = useAction();
  const me = currentSession().userId;
  const change = (member: Member, role: Role) =>
    action.run(`role-${member.user_id}`, async () => {
      await api.patch(`/api/v1/tenants/current/members/${member.user_id}`, { role });
      props.changed();
    });
  const remove = (member: Member) => {
    if (!window.confirm(`Remove ${member.name || member.email} from this organisation? Their sessions here end.`)) return;
    void action.run(`remove-${member.user_id}`, async () => {
      await api.delete(`/api/v1/tenants/current/members/${member.user_id}`);
      props.changed();
    });
  };
  return (
    <>
      <ProblemAlert error={action.error} title="The change was refused" />
      <table>
        <caption class="visually-hidden">Members of this organisation</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Joined</th>
            {props.manager ? <th scope="col"><span class="visually-hidden">Actions</span></th> : null}
          </tr>
        </thead>
        <tbody>
          {props.members.map((m) => {
            const self = m.user_id === me;
            const editable = props.manager && !self && (props.ownerActing || m.role !== "owner");
            return (
              <tr key={m.user_id}>
                <td>{m.name}{self ? <span class="muted"> (you)</span> : null}</td>
                <td>{m.email}</td>
                <td>
                  {editable ? (
                    <label>
                      <span class="visually-hidden">Role of {m.name || m.email}</span>
                      <select
                        value={m.role}
                        disabled={action.busy !== null}
                        onChange={(e) => void change(m, (e.target as HTMLSelectElement).value as Role)}
                      >
                        {ROLES.filter((r) => props.ownerActing || r !== "owner").map((r) => (
                          <option key={r} value={r}>{roleWords(r)}</option>
                        ))}
                      </select>
                    </label>
                  ) : (
                    roleWords(m.role)
                  )}
                </td>
                <td><When at={m.joined_at} /></td>
                {props.manager ? (
                  <td>
                    {editable ? (
                      <Button variant="quiet" onClick={() => remove(m)} busy={action.busy === `remove-${m.user_id}`}>
                        Remove<span class="visually-hidden"> {m.name || m.email}</span>
                      </Button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

function InviteForm(props: { invited: () => void; ownerActing: boolean }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [sent, setSent] = useState<string | null>(null);
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    setSent(null);
    void action.run("invite", async () => {
      const invitation = await api.post<Invitation>("/api/v1/tenants/current/invitations", { email: email.trim(), role });
      setSent(`An invitation is on its way to ${invitation.email}. It works once, for 7 days.`);
      setEmail("");
      props.invited();
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="invite-title">
      <h3 id="invite-title">Invite someone</h3>
      <div class="row align-end">
        <Field label="Email" name="invite-email" type="email" value={email} onInput={setEmail} required autocomplete="off" />
        <div class="field">
          <label for="invite-role">Role</label>
          <select id="invite-role" value={role} aria-describedby="invite-role-hint" onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
            {ROLES.filter((r) => props.ownerActing || r !== "owner").map((r) => (
              <option key={r} value={r}>{roleWords(r)}</option>
            ))}
          </select>
          <p class="hint" id="invite-role-hint">{roleHint(role)}</p>
        </div>
      </div>
      <Button type="submit" variant="primary" busy={action.busy === "invite"}>Send invitation</Button>
      <ProblemAlert error={action.error} title="The invitation was not sent" />
      {sent ? <Alert kind="success" title={sent} /> : null}
    </form>
  );
}

function InvitationList(props: { invitations: Invitation[]; changed: () => void }) {
  const action = useAction();
  if (props.invitations.length === 0) {
    return <Empty title="No open invitations"><p>Invite a colleague above; their invitation shows here until they accept it.</p></Empty>;
  }
  const revoke = (invitation: Invitation) =>
    action.run(invitation.id, async () => {
      await api.delete(`/api/v1/tenants/current/invitations/${invitation.id}`);
      props.changed();
    });
  return (
    <>
      <ProblemAlert error={action.error} title="The invitation was not withdrawn" />
      <table>
        <caption class="visually-hidden">Open invitations</caption>
        <thead>
          <tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Sent</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          {props.invitations.map((i) => (
            <tr key={i.id}>
              <td>{i.email}</td>
              <td>{roleWords(i.role)}</td>
              <td><When at={i.created_at} /></td>
              <td><When at={i.expires_at} /></td>
              <td>
                <Button variant="quiet" onClick={() => void revoke(i)} busy={action.busy === i.id}>
                  Revoke<span class="visually-hidden"> the invitation of {i.email}</span>
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
