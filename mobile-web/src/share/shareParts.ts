// What the viewer shows a thread with: the thread screen's own timeline and status badge.

import ThreadStatusBadge from "../components/thread/ThreadStatusBadge.svelte";
import ThreadTimeline from "../components/thread/ThreadTimeline.svelte";
import { buildTimeline } from "../threads/timeline";

export const shareParts = { ThreadStatusBadge, ThreadTimeline, buildTimeline };
export type ShareParts = typeof shareParts;
