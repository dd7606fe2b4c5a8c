// The organisation's API keys for integrations: stored sealed, listed masked, never shown again.
import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { ApiKeySummary } from "../api/types";
import { Alert, Button, Empty, ErrorState, Field, Loading, Page } from "../ui/kit";
import { useLoad } from "../ui/use";
import { ProblemAlert, When, problemStatus, useAction } from "./common";

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function ApiKeys() {
  const list = useLoad((signal) => api.get<{ items: ApiKeySummary[] }>("/api/v1/settings/api-keys", undefined, signal), []);
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);
  const remove = (key: ApiKeySummary) => {
    if (!window.confirm(`Delete the key ${key.name}? Integrations that use it stop working until a new one is stored.`)) return;
    void action.run(`delete-${key.name}`, async () => {
      await api.delete(`/api/v1/settings/api-keys/${encodeURIComponent(key.name)}`);
      setDone(`The key ${key.name} is deleted.`);
      list.reload();
    });
  };
  return (
    <Page title="API keys">
      <p>
        Some integrations need a key from the provider rather than a sign-in. Atlas seals each key with AES-256-GCM
        before storing it, bound to this organisation and to this one key (a sealed key copied elsewhere does not open); it is used only to call the provider and is
        <strong> never shown again</strong>, to anyone. The list shows at most its last four characters, so you can tell
        keys apart.
      </p>
      {list.error && problemStatus(list.error) === 403 ? (
        <Alert kind="info" title="Only owners and admins manage API keys">
          <p>Ask an owner or admin of your organisation to add or replace a key.</p>
        </Alert>
      ) : list.error ? (
        <ErrorState error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading label="Loading the API keys…" />
      ) : (
        <>
          {done ? <Alert kind="success" title={done} /> : null}
          <ProblemAlert error={action.error} />
          {list.data.items.length === 0 ? (
            <Empty title="No API keys stored">
              <p>Store one below when an integration asks for it.</p>
            </Empty>
          ) : (
            <table>
              <caption class="visually-hidden">Stored API keys</caption>
              <thead>
                <tr><th scope="col">Name</th><th scope="col">Purpose</th><th scope="col">Key</th><th scope="col">Stored</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
              </thead>
              <tbody>
                {list.data.items.map((key) => (
                  <tr key={key.name}>
                    <td><code>{key.name}</code></td>
                    <td>{key.purpose}</td>
                    <td><code aria-label={`Masked; ends in ${key.hint.replace(/\*/g, "") || "nothing shown"}`}>{key.hint}</code></td>
                    <td><When at={key.created_at} /></td>
                    <td>
                      <Button variant="quiet" onClick={() => remove(key)} busy={action.busy === `delete-${key.name}`}>
                        Delete<span class="visually-hidden"> {key.name}</span>
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <StoreKey stored={(name, replaced) => { setDone(replaced ? `The key ${name} is replaced.` : `The key ${name} is stored.`); list.reload(); }} existing={list.data.items.map((k) => k.name)} />
        </>
      )}
    </Page>
  );
}

function StoreKey(props: { stored: (name: string, replaced: boolean) => void; existing: string[] }) {
  const [name, setName] = useState("");
  const [purpose, setPurpose] = useState("");
  const [value, setValue] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const action = useAction();
  const replacing = props.existing.includes(name);
  const submit = (event: Event) => {
    event.preventDefault();
    if (!NAME.test(name)) return setInvalid("A name is 1–63 lowercase letters, digits, hyphens or underscores, starting with a letter or digit.");
    if (value.length < 8 || value !== value.trim()) return setInvalid("A key is at least 8 characters, with no spaces or line breaks at either end.");
    setInvalid(null);
    void action.run("store", async () => {
      await api.put<ApiKeySummary>(`/api/v1/settings/api-keys/${encodeURIComponent(name)}`, { value, purpose: purpose.trim() });
      setValue(""); // the value leaves the page as soon as it is stored
      props.stored(name, replacing);
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="store-key-title">
      <h2 id="store-key-title">Store or replace a key</h2>
      <Field label="Name" name="key-name" value={name} onInput={setName} required autocomplete="off" hint="Lowercase, e.g. openai or zendesk-token. Storing a name that exists replaces that key." />
      <Field label="Purpose" name="key-purpose" value={purpose} onInput={setPurpose} required autocomplete="off" hint="What it is for, in a few words (shown to other admins)." />
      <Field label="Key" name="key-value" type="password" value={value} onInput={setValue} required autocomplete="off" hint="Pasted as the provider gave it. It cannot be read back after you store it." />
      {invalid ? <p class="alert error" role="alert">{invalid}</p> : null}
      <ProblemAlert error={action.error} title="The key was not stored" />
      <Button type="submit" variant="primary" busy={action.busy === "store"}>{replacing ? "Replace key" : "Store key"}</Button>
    </form>
  );
}
