import { Placeholder } from "./placeholders";
export function Entities() { return <Placeholder title="Entities" />; }
export function EntityTimeline(props: { id: string }) { return <Placeholder title={`Entity ${props.id}`} />; }
