import { Placeholder } from "./placeholders";
export function Connections() { return <Placeholder title="Connections" />; }
