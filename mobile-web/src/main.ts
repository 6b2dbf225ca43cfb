import "./noEval";
import "./app.css";
import { mount } from "svelte";
import { SHARE_FRAGMENT_PREFIX, isSecureEnough, takePairFragment } from "./boot";
import InsecureScreen from "./components/InsecureScreen.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

if (!isSecureEnough()) {
  // The fragment stays: reopened over HTTPS or localhost, the same link still pairs.
  mount(InsecureScreen, { target, props: { url: location.href } });
} else if (location.hash.startsWith(SHARE_FRAGMENT_PREFIX)) {
  // A shared thread, read-only: the link is all the viewer has, so it stays in the address bar.
  import("./share/start")
    .then(({ startShare }) => startShare(target, location.href))
    .catch(() => {
      target.textContent = "Tether could not load. Check the connection and reload the page.";
    });
} else {
  // Before anything else runs, so the pairing secret is out of the address bar at once.
  const pairText = takePairFragment();
  import("./start")
    .then(({ startApp }) => startApp(target, pairText))
    .catch(() => {
      target.textContent = "Tether could not load. Check the connection and reload the page.";
    });
}
