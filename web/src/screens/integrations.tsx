import { Placeholder } from "./placeholders";
export function Integrations() { return <Placeholder title="Integrations" />; }
