// Signing in, signing up and accepting an invitation. After success the session changes and the
// shell moves on by itself; these screens only ask, and say clearly what went wrong.
import { useState } from "preact/hooks";
import { ApiError } from "../api/problem";
import { acceptInvitation, signIn, signUp } from "../api/session";
import { navigate, useLocation } from "../router";
import { Alert, Button, Field, Link, Page } from "../ui/kit";
import { explainProblem } from "./common";
import { PASSWORD_HINT, PASSWORD_MIN_CHARACTERS, passwordProblem } from "./words";

/** The sentence for a refused auth call: the server's own title for auth.* problems. */
function authError(error: unknown): string {
  if (error instanceof ApiError) {
    const p = error.problem;
    if (p.status === 429) return explainProblem(error);
    if (p.code.startsWith("auth.") || p.code.startsWith("identity.")) return `${p.title}${p.detail && p.detail !== p.title ? ` ${p.detail}` : ""}`;
  }
  return explainProblem(error);
}

/** The other region's Atlas, when a sign-in or sign-up belongs there (tenancy.wrong_region). */
function regionLink(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.problem.code !== "tenancy.wrong_region") return null;
  const url = error.problem.region_url;
  return url && /^https?:\/\//.test(url) ? url : null;
}

function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormProblem | null>(null);
  const submit = (check: () => string | null, call: () => Promise<unknown>) => async (event: Event) => {
    event.preventDefault();
    const invalid = check();
    if (invalid) {
      setError({ text: invalid, link: null });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await call();
    } catch (reason) {
      setError({ text: authError(reason), link: regionLink(reason) });
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

interface FormProblem {
  text: string;
  link: string | null;
}

function FormError(props: { error: FormProblem | null }) {
  // Always present, so a screen reader announces the text when it appears.
  return (
    <div role="alert" class={props.error ? "alert error" : "form-error-empty"}>
      {props.error ? (
        <>
          <strong>That did not work</strong>
          <p>{props.error.text}</p>
          {props.error.link ? (
            <p>
              <a href={props.error.link}>Go to the Atlas that keeps your organisation's data</a>
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

export function SignIn() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, submit } = useSubmit();
  return (
    <Page title="Sign in">
      <form onSubmit={submit(() => null, () => signIn({ email: email.trim(), password }))}>
        <FormError error={error} />
        <Field label="Email" name="email" type="email" value={email} onInput={setEmail} required autocomplete="username" />
        <Field label="Password" name="password" type="password" value={password} onInput={setPassword} required autocomplete="current-password" />
        <Button type="submit" variant="primary" busy={busy}>
          Sign in
        </Button>
      </form>
      <p>
        New to Atlas? <Link to="/signup">Create an account</Link>.
      </p>
    </Page>
  );
}

export function SignUp() {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [organisation, setOrganisation] = useState("");
  const { busy, error, submit } = useSubmit();
  const check = () => passwordProblem(password);
  const call = () => signUp({ name: name.trim(), email: email.trim(), password, organisation: organisation.trim() });
  return (
    <Page title="Create your account">
      <form onSubmit={submit(check, call)}>
        <FormError error={error} />
        <Field label="Your name" name="name" value={name} onInput={setName} required autocomplete="name" />
        <Field label="Work email" name="email" type="email" value={email} onInput={setEmail} required autocomplete="email" />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onInput={setPassword}
          required
          minLength={PASSWORD_MIN_CHARACTERS}
          autocomplete="new-password"
          hint={PASSWORD_HINT}
        />
        <Field
          label="Organisation name"
          name="organisation"
          value={organisation}
          onInput={setOrganisation}
          required
          autocomplete="organization"
          hint="Your company or team. You will be its owner, and can invite others."
        />
        <Button type="submit" variant="primary" busy={busy}>
          Create account
        </Button>
      </form>
      <p>
        Already have an account? <Link to="/signin">Sign in</Link>.
      </p>
    </Page>
  );
}

export function AcceptInvitation() {
  const location = useLocation();
  // The emailed link carries the token in the fragment (never sent to a server or a log);
  // ?token= is accepted too, for links typed by hand.
  const token =
    new URLSearchParams(window.location.hash.replace(/^#/, "")).get("token") ??
    location.query.get("token") ??
    "";
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, submit } = useSubmit();
  if (!token) {
    return (
      <Page title="Join your team">
        <Alert kind="error" title="This invitation link is incomplete">
          <p>Open the link from your invitation email again, or ask whoever invited you to send a new one.</p>
        </Alert>
        <p>
          Already have an account? <Link to="/signin">Sign in</Link>.
        </p>
      </Page>
    );
  }
  // Joined: the invitation (and its token, in the URL) is spent; go to the new organisation.
  const call = () =>
    acceptInvitation({ token, password, ...(name.trim() ? { name: name.trim() } : {}) }).then(() =>
      navigate("/maps", { replace: true }),
    );
  return (
    <Page title="Join your team">
      <p>
        If you already use Atlas, enter your current password. If you are new, choose a password and tell us your
        name.
      </p>
      <form onSubmit={submit(() => null, call)}>
        <FormError error={error} />
        <Field
          label="Your name (new accounts only)"
          name="name"
          value={name}
          onInput={setName}
          autocomplete="name"
          hint="Leave empty if you already have an Atlas account."
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onInput={setPassword}
          required
          autocomplete="current-password"
          hint={PASSWORD_HINT}
        />
        <Button type="submit" variant="primary" busy={busy}>
          Join
        </Button>
      </form>
    </Page>
  );
}
