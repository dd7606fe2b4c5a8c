import { Placeholder } from "./placeholders";
export function SignIn() { return <Placeholder title="Sign in" />; }
export function SignUp() { return <Placeholder title="Create your account" />; }
export function AcceptInvitation() { return <Placeholder title="Join your team" />; }
