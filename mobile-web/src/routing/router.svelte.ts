import { PAIR_FRAGMENT_PREFIX, takePairFragment } from "../boot";
import { parseRoute, routeHash, type Route } from "./routes";

export class Router {
  route = $state.raw<Route>(parseRoute(location.hash));

  /**
   * Follows the address bar; returns the function that stops following it. A pairing link
   * opened in a tab that already runs the app arrives here as a hash change.
   */
  start(onPairLink: (link: string) => void): () => void {
    const onChange = () => {
      if (location.hash.startsWith(PAIR_FRAGMENT_PREFIX)) {
        const link = takePairFragment();
        this.route = parseRoute(location.hash);
        if (link !== null) onPairLink(link);
        return;
      }
      this.route = parseRoute(location.hash);
    };
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }

  /** Navigates with a new history entry, so Back returns here. */
  go(route: Route): void {
    const hash = routeHash(route);
    if (location.hash === hash) this.route = parseRoute(hash);
    else location.hash = hash;
  }

  /** Navigates in place: for redirects that Back should skip. */
  replace(route: Route): void {
    history.replaceState(history.state, "", routeHash(route));
    this.route = parseRoute(location.hash);
  }
}
