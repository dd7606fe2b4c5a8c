import { render } from "preact";
import { onSession } from "./api/session";
import { App } from "./app";
import { startFeed } from "./live";
import { layoutClient } from "./map/layout";
import "./styles.css";

startFeed();
// Opening a map: the layout worker (elkjs, the largest script) loads while the session is
// restored and the map fetched, not after.
if (window.location.pathname === "/maps") layoutClient().warm();
// Signed in elsewhere: warm it once the page is idle, so opening the maps does not wait for
// elkjs to load and compile (the maps are why people come; the cost is one idle worker).
onSession((state) => {
  if (state.status === "signed-out") layoutClient().forget();
  if (state.status !== "signed-in") return;
  const idle = window.requestIdleCallback ?? ((run: () => void) => setTimeout(run, 2000));
  idle(() => layoutClient().warm(), { timeout: 4000 });
});
const root = document.getElementById("app");
if (root) render(<App />, root);
