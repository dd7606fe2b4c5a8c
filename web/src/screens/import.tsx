import { Placeholder } from "./placeholders";
export function ImportFile() { return <Placeholder title="ImportFile" />; }
