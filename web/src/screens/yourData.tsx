// Your data (GDPR): download everything Atlas keeps about you here, or delete your account.
import { useState } from "preact/hooks";
import { download, request } from "../api/client";
import { forget } from "../api/session";
import { navigate } from "../router";
import { Alert, Button, Field, Link } from "../ui/kit";
import { saveFile } from "../ui/save";
import { ProblemAlert, problemCode, useAction } from "./common";

export const ACCOUNT_DELETED = "Your account is deleted, and you are signed out everywhere.";

export function YourData(props: { organisation: string | undefined }) {
  const action = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  const exportMine = () => {
    setSaved(null);
    void action.run("export", async () => {
      const file = await download("/api/v1/me/export", "atlas-personal-data.zip", "application/zip");
      saveFile(file.blob, file.name);
      setSaved(`Your data is saved as ${file.name}.`);
    });
  };
  return (
    <section class="card" aria-labelledby="your-data-title">
      <h2 id="your-data-title">Your data</h2>
      <p>
        Download a ZIP file of everything Atlas keeps about you in {props.organisation ?? "this organisation"} (your
        account, sign-ins, connections, the records your own sources brought in, and the activity log entries that
        name you), as readable JSON files with a list of contents.
      </p>
      <p class="small muted">To get your data from another organisation you belong to, switch to it first.</p>
      <Button onClick={exportMine} busy={action.busy === "export"}>Download my data</Button>
      <ProblemAlert error={action.error} title="Your data was not downloaded" />
      {saved ? <Alert kind="success" title={saved} /> : null}
      <DeleteAccount />
    </section>
  );
}

function DeleteAccount() {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run("erase", async () => {
      await request<void>("/api/v1/me", { method: "DELETE", body: { password } });
      setPassword("");
      forget(ACCOUNT_DELETED);
      navigate("/signin", { replace: true });
    });
  };
  if (!open) {
    return (
      <>
        <h3>Delete your account</h3>
        <p class="small">This cannot be undone. You will be asked for your password and shown what is erased first.</p>
        <Button variant="danger" onClick={() => setOpen(true)}>Delete my account…</Button>
      </>
    );
  }
  const lastOwner = problemCode(action.error) === "compliance.last_owner";
  return (
    <form class="confirm" onSubmit={submit} aria-labelledby="erase-title">
      <h3 id="erase-title">Delete your account for good</h3>
      <p>This erases you from Atlas in every organisation you belong to:</p>
      <ul>
        <li>your account, your password and every place you are signed in;</li>
        <li>your connections: Atlas hands each provider's access back where it can and deletes its keys;</li>
        <li>the records your own, unshared sources brought in.</li>
      </ul>
      <p>What stays, without you in it:</p>
      <ul>
        <li>records from your organisation's shared sources (such as the company CRM) that mentioned you keep counting in the process maps, under an anonymous label instead of your name and email;</li>
        <li>the activity log keeps what happened, but no longer who did it or from where.</li>
      </ul>
      <Field
        label="Your password"
        name="erase-password"
        type="password"
        value={password}
        onInput={setPassword}
        required
        autocomplete="current-password"
        hint="To confirm it is you."
      />
      <ProblemAlert error={action.error} title="Your account was not deleted">
        {lastOwner ? <p><Link to="/members">Go to Members to make someone else an owner</Link>.</p> : null}
      </ProblemAlert>
      <div class="row">
        <Button type="submit" variant="danger" busy={action.busy === "erase"}>Delete my account permanently</Button>
        <Button onClick={() => { setOpen(false); setPassword(""); action.clear(); }}>Cancel</Button>
      </div>
    </form>
  );
}
