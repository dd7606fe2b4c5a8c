import { Placeholder } from "./placeholders";
export function Members() { return <Placeholder title="Members" />; }
