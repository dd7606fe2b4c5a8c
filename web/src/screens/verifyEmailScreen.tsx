// The verification link's page, and the notice a signed-in person sees until they follow it.
import { useEffect, useState } from "preact/hooks";
import type { Profile } from "../api/types";
import { Alert, Button, Link, Page } from "../ui/kit";
import { reloadProfile } from "../workspace";
import { explainProblem } from "./common";
import { resendVerification, takeToken, verificationNotice, verifyEmail } from "./verifyEmail";

type State = { step: "verifying" } | { step: "verified" } | { step: "failed"; message: string };

/** Opened from the email: signed in or not (the link may be opened on another device). */
export function VerifyEmail(props: { signedIn: boolean }) {
  const [state, setState] = useState<State>({ step: "verifying" });
  useEffect(() => {
    const token = takeToken(); // out of the address bar before anything else
    if (!token) {
      setState({ step: "failed", message: "This link is incomplete. Open the link from the email again." });
      return;
    }
    verifyEmail(token)
      .then(() => {
        setState({ step: "verified" });
        if (props.signedIn) void reloadProfile();
      })
      .catch((error: unknown) => setState({ step: "failed", message: explainProblem(error) }));
  }, []);
  const next = props.signedIn ? <Link to="/connections">Connect your tools</Link> : <Link to="/signin">Sign in</Link>;
  return (
    <Page title="Verify your email">
      {state.step === "verifying" ? <p role="status">Verifying your email address…</p> : null}
      {state.step === "verified" ? (
        <Alert kind="success" title="Your email address is verified">
          <p>You can now invite people and connect tools. {next}.</p>
        </Alert>
      ) : null}
      {state.step === "failed" ? (
        <Alert kind="error" title="Your email address is not verified">
          <p>{state.message}</p>
        </Alert>
      ) : null}
    </Page>
  );
}

/** Until the address is verified: what to do, and a button that sends a new link. */
export function VerifyEmailNotice(props: { profile: Profile | null }) {
  const notice = verificationNotice(props.profile);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!notice) return null;
  const resend = () => {
    setBusy(true);
    resendVerification()
      .then(() => setSent("A new link is on its way; the earlier one no longer works."))
      .catch((error: unknown) => setSent(explainProblem(error)))
      .finally(() => setBusy(false));
  };
  return (
    <Alert kind="warning" title={notice.title}>
      <p>{notice.where}</p>
      {notice.outbox ? <p class="hint">{notice.outbox}</p> : null}
      <p>
        <Button onClick={resend} busy={busy}>
          Resend the email
        </Button>{" "}
        <span role="status">{sent ?? ""}</span>
      </p>
    </Alert>
  );
}
