import { Page } from "../ui/kit";
export function Explorer() { return <Page title="Process maps">{null}</Page>; }
