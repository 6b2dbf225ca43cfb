// Builds the relay's push service from its config: Web Push always (unless push is off), FCM
// when a service account is given. Everything that can be wrong with the config shows up here,
// before the relay listens.

import type { Agent } from "node:https";
import { defaultPushSubject, PLACEHOLDER_PUSH_SUBJECT, type RelayConfig } from "../config";
import type { Logger } from "../log";
import type { RelayMetrics } from "../metrics";
import type { RelayStore } from "../store/store";
import { FcmTransport, readFcmSettings } from "./fcm";
import { PushService } from "./notifications";
import type { PushTransport } from "./transport";
import { loadOrCreateVapidKeys } from "./vapid";
import { WebPushTransport } from "./webPush";

export interface PushDeps {
  store: RelayStore;
  log: Logger;
  now: () => number;
  /** Every request to a push service (Web Push, FCM and its token) goes through this agent. */
  agent?: Agent;
  timeoutMs?: number;
  metrics?: RelayMetrics;
}

/** The push service, or null when the operator turned push off. */
export async function createPushService(config: RelayConfig, deps: PushDeps): Promise<PushService | null> {
  const push = config.push ?? { enabled: true, subject: defaultPushSubject(config.publicUrl) };
  if (!push.enabled) {
    deps.log.info("push notifications off");
    return null;
  }
  const fcmSettings = push.fcm ? readFcmSettings(push.fcm) : undefined;
  const vapid = await loadOrCreateVapidKeys(deps.store);
  const transports: PushTransport[] = [new WebPushTransport({ ...vapid, subject: push.subject }, deps.agent)];
  if (fcmSettings) transports.push(await FcmTransport.create(fcmSettings, deps.agent));
  if (push.subject === PLACEHOLDER_PUSH_SUBJECT) {
    deps.log.info("push subject is a placeholder that Apple's push service refuses; set --push-subject for iPhones");
  }
  deps.log.info("push notifications on", { webPush: true, fcm: fcmSettings !== undefined });
  return new PushService({
    store: deps.store,
    log: deps.log,
    now: deps.now,
    transports,
    offer: fcmSettings ? { vapidPublicKey: vapid.publicKey, fcm: fcmSettings.webConfig } : { vapidPublicKey: vapid.publicKey },
    timeoutMs: deps.timeoutMs,
    metrics: deps.metrics,
  });
}
