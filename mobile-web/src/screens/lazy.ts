// Screens that are not on the first one's path load on demand, so the first screen stays
// small (test/mobile-web/budget.test.ts holds its JavaScript under 60 KB gzip). Each
// loader keeps its promise: a second visit renders at once, and a failed load (offline
// with an old cache) is tried again on the next visit.

function once<M>(load: () => Promise<M>): () => Promise<M> {
  let pending: Promise<M> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

export const screens = {
  // A paired phone's home, but not the unpaired start page's: pairing needs none of it, and a
  // paired phone has it from the service worker's cache.
  dashboard: once(() => import("../components/HostDashboard.svelte")),
  thread: once(() => import("../components/ThreadScreen.svelte")),
  newTask: once(() => import("../components/NewTaskScreen.svelte")),
  addHost: once(() => import("../components/AddHostScreen.svelte")),
  settings: once(() => import("../components/SettingsScreen.svelte")),
  fileView: once(() => import("../components/FileView.svelte")),
  changes: once(() => import("../components/git/ChangesScreen.svelte")),
  /** Not a screen: the Computers screen's approval and question cards. */
  decisionCards: once(() => import("../components/thread/decisionCards")),
};

/** Fetches the screens a person is likely to open next, once the first screen is up and idle. */
export function prefetchScreens(): void {
  const idle =
    (globalThis as { requestIdleCallback?: (cb: () => void) => void }).requestIdleCallback ??
    ((cb: () => void) => setTimeout(cb, 1_500));
  idle(() => {
    for (const load of [screens.thread, screens.newTask, screens.fileView, screens.decisionCards])
      void load().catch(() => undefined);
  });
}
