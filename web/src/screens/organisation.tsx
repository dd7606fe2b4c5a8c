// The organisation as a whole, for its owners: export it, delete it (30 days read-only, then
// gone), and the notice every screen shows while it waits, with the way back.
import { useEffect, useState } from "preact/hooks";
import { download, request } from "../api/client";
import { calendarDay } from "../api/problem";
import type { Profile, WorkspaceDeletion } from "../api/types";
import { Alert, Button, Field } from "../ui/kit";
import { saveFile } from "../ui/save";
import { reloadProfile } from "../workspace";
import { ProblemAlert, useAction } from "./common";
import { pendingNotice } from "./compliance";

export function OrganisationData(props: { profile: Profile }) {
  const { tenant } = props.profile;
  const action = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  const exportAll = () => {
    setSaved(null);
    void action.run("export", async () => {
      const file = await download("/api/v1/tenant/export", "atlas-organisation.zip", "application/zip");
      saveFile(file.blob, file.name);
      setSaved(`The organisation's data is saved as ${file.name}.`);
    });
  };
  const pending = tenant.status === "pending_deletion";
  return (
    <section class="card" aria-labelledby="organisation-data-title">
      <h2 id="organisation-data-title">Organisation data</h2>
      <p>
        Export a ZIP file of {tenant.name}: its settings, its members, its connections (never their passwords or
        keys) and all its process data, in the OCEL 2.0 format that process-mining tools read.
      </p>
      <Button onClick={exportAll} busy={action.busy === "export"}>Export organisation</Button>
      <ProblemAlert error={action.error} title="The organisation was not exported" />
      {saved ? <Alert kind="success" title={saved} /> : null}
      {pending ? (
        <p>
          <strong>{pendingNotice(tenant.purge_after)}</strong> You can restore it from the notice at the top of the
          page.
        </p>
      ) : (
        <DeleteOrganisation name={tenant.name} />
      )}
    </section>
  );
}

function DeleteOrganisation(props: { name: string }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [typed, setTyped] = useState("");
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run("delete", async () => {
      await request<WorkspaceDeletion>("/api/v1/tenants/current", {
        method: "DELETE",
        body: { password, confirm_name: typed.trim() },
      });
      setPassword("");
      setTyped("");
      setOpen(false);
      await reloadProfile(); // the notice appears on every screen
    });
  };
  if (!open) {
    return (
      <>
        <h3>Delete the organisation</h3>
        <p class="small">Owners can delete the organisation. You get 30 days to change your mind.</p>
        <Button variant="danger" onClick={() => setOpen(true)}>Delete organisation…</Button>
      </>
    );
  }
  return (
    <form class="confirm" onSubmit={submit} aria-labelledby="delete-organisation-title">
      <h3 id="delete-organisation-title">Delete {props.name}</h3>
      <ul>
        <li>At once, the organisation becomes read-only for everyone: people can still look and download, but nothing can be connected, synced, imported or changed.</li>
        <li>For 30 days, any owner can restore it, exactly as it was.</li>
        <li>After 30 days, Atlas deletes all of it: the process data, the connections (handing each provider's access back), the members' access and the activity log. This cannot be undone.</li>
        <li>People's own accounts stay, with their other organisations.</li>
      </ul>
      <Field label="Your password" name="delete-organisation-password" type="password" value={password} onInput={setPassword} required autocomplete="current-password" />
      <Field
        label="The organisation's name"
        name="delete-organisation-name"
        value={typed}
        onInput={setTyped}
        required
        autocomplete="off"
        hint={`Type ${props.name} to confirm.`}
      />
      <ProblemAlert error={action.error} title="The organisation was not deleted" />
      <div class="row">
        <Button type="submit" variant="danger" busy={action.busy === "delete"}>Delete organisation</Button>
        <Button onClick={() => { setOpen(false); setPassword(""); setTyped(""); action.clear(); }}>Cancel</Button>
      </div>
    </form>
  );
}

/** Shown above every screen while the organisation is pending deletion; owners can restore it. */
export function PendingDeletionNotice(props: { profile: Profile | null; path: string }) {
  const [restored, setRestored] = useState(false);
  useEffect(() => setRestored(false), [props.path]); // said once, on the screen where it happened
  const tenant = props.profile?.tenant;
  if (!tenant || tenant.status !== "pending_deletion") {
    if (!restored) return null;
    return (
      <Alert kind="success" title="The organisation is restored: it can be changed again.">
        <Button variant="quiet" onClick={() => setRestored(false)}>Dismiss</Button>
      </Alert>
    );
  }
  return (
    <section class="alert warning pending-notice" aria-labelledby="pending-notice-title" data-testid="pending-deletion">
      <strong id="pending-notice-title">{pendingNotice(tenant.purge_after)}</strong>
      {props.profile?.role === "owner" ? (
        <Restore restored={() => setRestored(true)} day={tenant.purge_after ? calendarDay(tenant.purge_after) : null} />
      ) : (
        <p>An owner of the organisation can restore it until then.</p>
      )}
    </section>
  );
}

function Restore(props: { restored: () => void; day: string | null }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run("restore", async () => {
      await request<WorkspaceDeletion>("/api/v1/tenants/current/restore", { method: "POST", body: { password } });
      setPassword("");
      props.restored();
      await reloadProfile();
    });
  };
  if (!open) {
    return (
      <p>
        You can restore it {props.day ? `until ${props.day}` : "for now"}, exactly as it was.{" "}
        <Button onClick={() => setOpen(true)}>Restore…</Button>
      </p>
    );
  }
  return (
    <form onSubmit={submit} aria-label="Restore the organisation">
      <div class="row align-end">
        <Field label="Your password" name="restore-password" type="password" value={password} onInput={setPassword} required autocomplete="current-password" />
        <div class="field">
          <Button type="submit" variant="primary" busy={action.busy === "restore"}>Restore organisation</Button>
        </div>
        <div class="field">
          <Button onClick={() => { setOpen(false); setPassword(""); action.clear(); }}>Cancel</Button>
        </div>
      </div>
      <ProblemAlert error={action.error} title="The organisation was not restored" />
    </form>
  );
}
