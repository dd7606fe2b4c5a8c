import { Placeholder } from "./placeholders";
export function ApiKeys() { return <Placeholder title="ApiKeys" />; }
