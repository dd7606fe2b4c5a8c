import { render } from "preact";
import { App } from "./app";
import { startFeed } from "./live";
import "./styles.css";

startFeed();
const root = document.getElementById("app");
if (root) render(<App />, root);
