// Replaced screen by screen; kept so the shell builds while they are written.
import { Page } from "../ui/kit";

export function Placeholder(props: { title: string }) {
  return <Page title={props.title}>{null}</Page>;
}
