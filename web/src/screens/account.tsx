import { Placeholder } from "./placeholders";
export function Account() { return <Placeholder title="Account" />; }
