// The soak (`npm run bench -- soak`, minutes, not in the default run): two relay processes on
// one redis-server, a crowd of paired phones and 50 hosts publishing thread events, live
// output and approvals, one relay process killed (SIGKILL) and started again on its port every
// minute. Clients connect round robin over the two ports and move to the other when theirs
// goes. At the end every phone must hold every event of its host, in order, once, with the
// host's own content, and every approval the relay took must have reached its host.
// BENCH_SOAK_PHONES and BENCH_SOAK_SECONDS set the size (default 5,000 phones, 5 minutes).

import { join } from "node:path";
import { buildPopulation } from "../lib/population";
import { rssBytes } from "../lib/proc";
import { figure } from "../lib/results";
import { Cleanup, type Scenario } from "../lib/scenario";
import { SoakHost, SoakPhone } from "../lib/soakClients";
import { fmt, now, quantile, round } from "../lib/stats";
import { sleep } from "../lib/wireLine";
import { freePort } from "../../test/support/processes";
import { startRedis } from "../../test/support/redisServer";
import { startRelayProcess, type RelayProcess } from "../../test/support/relayProcess";

const HOSTS = 50;
const THREADS = 2;
const FULL_PHONES = 5000;
/** Connections opened at once, so the crowd's start is not a thundering herd. */
const IN_FLIGHT = 64;

export const soak: Scenario = {
  id: "soak",
  title: "Soak: two relay processes on Redis, one killed every minute",
  async run(ctx, out) {
    const phones = Number(process.env.BENCH_SOAK_PHONES ?? (ctx.quick ? 300 : FULL_PHONES));
    const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? (ctx.quick ? 45 : 300));
    const killEvery = ctx.quick ? 15_000 : 60_000;
    const eventEveryMs = 1000;
    const liveEveryMs = 500;
    out.params = { phones, hosts: HOSTS, threadsPerHost: THREADS, seconds, killEverySeconds: killEvery / 1000 };
    const cleanup = new Cleanup();
    try {
      const redis = cleanup.add(await startRedis(), (r) => r.stop());
      ctx.log(`pairing ${phones} phones with ${HOSTS} hosts in Redis`);
      const population = await buildPopulation(join(ctx.tmp, "population"), phones, {
        redis: redis.url,
        phonesPerHost: Math.ceil(phones / HOSTS),
      });
      const ports = [await freePort(), await freePort()];
      const relays: RelayProcess[] = [];
      const startOne = async (i: number): Promise<RelayProcess> =>
        (relays[i] = await startRelayProcess({
          dataDir: join(ctx.tmp, `relay-${i}`),
          port: ports[i],
          args: ["--redis", redis.url],
        }));
      await Promise.all([startOne(0), startOne(1)]);
      cleanup.add(relays, (rs) => Promise.all(rs.map((r) => r.stop())));
      const urls = relays.map((r) => r.url);

      const hosts = population.hostCredentials.map(
        (c, i) =>
          new SoakHost(
            i,
            c.deviceId,
            c.token,
            urls,
            Array.from({ length: THREADS }, (_, t) => `soak-${t}`),
          ),
      );
      const crowd = population.phones.map(
        (token, i) =>
          new SoakPhone(i, population.phoneHost[i]!, population.hostCredentials[population.phoneHost[i]!]!.deviceId, token, urls),
      );
      cleanup.add(null, () => [...hosts, ...crowd].forEach((c) => c.line.close()));
      ctx.log(`connecting ${hosts.length} hosts and ${crowd.length} phones over ports ${ports.join(" and ")}`);
      const t0connect = now();
      await inTurn([...hosts, ...crowd], (c) => c.line.connect());
      const connectMs = now() - t0connect;

      // Memory of each relay process over time, through its restarts.
      const memory: { at: number; rss: (number | null)[] }[] = [];
      const started = now();
      const sample = (): void => void memory.push({ at: (now() - started) / 1000, rss: relays.map((r) => safeRss(r.pid)) });
      sample();
      const sampler = setInterval(sample, ctx.quick ? 2000 : 5000);
      cleanup.add(sampler, clearInterval);

      ctx.log(`running ${seconds} s, killing one relay process every ${killEvery / 1000} s`);
      const until = Date.now() + seconds * 1000;
      const restarts: number[] = [];
      const killer = (async () => {
        for (let k = 0; Date.now() + killEvery < until; k++) {
          await sleep(killEvery);
          const i = k % 2;
          const child = relays[i]!.proc.child;
          const exited = new Promise((resolve) => child.once("exit", resolve));
          process.kill(-child.pid!, "SIGKILL");
          const t = now();
          await exited;
          await startOne(i);
          restarts.push(now() - t);
          ctx.log(`relay ${i} killed and back in ${Math.round(now() - t)} ms`);
        }
      })();
      const approvalsPerPhone = 2;
      const work = [
        ...hosts.flatMap((h) => [...h.threads.map((t) => h.publish(t, eventEveryMs, until)), h.publishLive(liveEveryMs, until)]),
        ...crowd.map(async (p) => {
          for (let a = 0; a < approvalsPerPhone; a++) {
            await sleep((Math.random() * (seconds * 1000)) / approvalsPerPhone);
            await p.approve();
          }
        }),
      ];
      await Promise.all([...work, killer]);
      const runSeconds = (now() - started) / 1000;
      clearInterval(sampler);
      sample();

      ctx.log("waiting for every approval to reach its host, then a last catch-up of every phone");
      const unapplied = (): number =>
        crowd.reduce((n, p) => n + p.approved.filter((id) => !hosts[p.host]!.commands.has(id)).length, 0);
      for (let waited = 0; unapplied() > 0 && waited < 60_000; waited += 500) await sleep(500);
      await inTurn(crowd, (p) => p.sync());

      let missing = 0;
      for (const p of crowd)
        for (const t of hosts[p.host]!.threads) missing += (hosts[p.host]!.published.get(t) ?? 0) - (p.held.get(t) ?? 0);
      const wrong = crowd.reduce((n, p) => n + p.wrong, 0);
      const events = hosts.reduce((n, h) => n + [...h.published.values()].reduce((a, b) => a + b, 0), 0);
      const approvals = crowd.reduce((n, p) => n + p.approved.length, 0);
      const redelivered = hosts.reduce((n, h) => n + [...h.commands.values()].filter((c) => c > 1).length, 0);
      const received = crowd.reduce((n, p) => n + p.received, 0);
      const reconnects = crowd.flatMap((p) => p.line.reconnects);
      const hostReconnects = hosts.flatMap((h) => h.line.reconnects);
      const peak = [0, 1].map((i) => Math.max(...memory.map((m) => m.rss[i] ?? 0)));

      out.figures.push(
        figure({
          id: "missing",
          label: "events a phone lacks or holds wrong at the end",
          value: missing + wrong,
          unit: "",
          goal: { op: "<=", value: 0 },
        }),
        figure({
          id: "unapplied",
          label: "approvals taken by the relay that never reached their host",
          value: unapplied(),
          unit: "",
          goal: { op: "<=", value: 0 },
        }),
        figure({ id: "events", label: "thread events stored", value: round(events / runSeconds), unit: "/s" }),
        figure({
          id: "deliveries",
          label: "events and live output delivered to phones",
          value: round(received / runSeconds),
          unit: "/s",
        }),
        figure({ id: "approvals", label: "approvals sent and applied", value: round(approvals / runSeconds), unit: "/s" }),
        figure({
          id: "reconnect-p99",
          label: "phone reconnect and catch-up after a kill, p99",
          value: reconnects.length ? round(quantile(reconnects, 0.99)) : null,
          unit: "ms",
        }),
        figure({
          id: "reconnect-p50",
          label: "…p50",
          value: reconnects.length ? round(quantile(reconnects, 0.5)) : null,
          unit: "ms",
        }),
        figure({ id: "rss-0", label: "relay process 1, RSS peak", value: round(peak[0]! / 1e6), unit: "MB" }),
        figure({ id: "rss-1", label: "relay process 2, RSS peak", value: round(peak[1]! / 1e6), unit: "MB" }),
      );
      const memoryNote =
        `Relay memory over time (RSS, MB, process 1 / 2, at seconds since the start): ` +
        thin(memory, 12)
          .map((m) => `${Math.round(m.at)} s ${m.rss.map((r) => (r === null ? "—" : fmt(r / 1e6))).join("/")}`)
          .join(", ") +
        ".";
      if (phones < FULL_PHONES)
        out.notes.push(
          `Smaller than the full soak's ${FULL_PHONES.toLocaleString("en-US")} phones (the default without ` +
            "BENCH_SOAK_PHONES): the size that finishes in minutes on this shared machine, with every client in one process.",
        );
      out.notes.push(
        `${phones.toLocaleString("en-US")} phones (${Math.ceil(phones / HOSTS)} per host) and ${HOSTS} hosts, all in the bench's process on the ` +
          `bench's wire client, connected in ${fmt(connectMs / 1000)} s; each host publishes a thread event every ${eventEveryMs} ms on each of ` +
          `${THREADS} threads and live output every ${liveEveryMs} ms; each phone sends ${approvalsPerPhone} approvals at random times. ` +
          `${restarts.length} kills in ${Math.round(runSeconds)} s (SIGKILL, then the same port again; back in ${restarts.map((r) => fmt(r)).join(", ")} ms).`,
        `Totals: ${events.toLocaleString("en-US")} thread events, every one held by each of its host's phones in order (held ` +
          `${crowd.reduce((n, p) => n + [...p.held.values()].reduce((a, b) => a + b, 0), 0).toLocaleString("en-US")} in all); ` +
          `${approvals.toLocaleString("en-US")} approvals, each applied once by its host (${redelivered} delivered again after an ` +
          `answer was lost with a process, and recognised by id); ${reconnects.length} phone and ${hostReconnects.length} host reconnects; ` +
          `${crowd.reduce((n, p) => n + p.gaps, 0)} live deliveries past a gap (fetched in order by sync instead) and ` +
          `${crowd.reduce((n, p) => n + p.again, 0)} delivered twice (dropped by the phone).`,
        memoryNote,
      );
      ctx.log(memoryNote);
    } finally {
      await cleanup.run();
    }
  },
};

/** Runs `fn` over `items` with IN_FLIGHT at a time. */
async function inTurn<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

function safeRss(pid: number): number | null {
  try {
    return rssBytes(pid);
  } catch {
    return null;
  }
}

/** At most `n` samples, evenly spread, the last one kept. */
function thin<T>(all: T[], n: number): T[] {
  if (all.length <= n) return all;
  const step = (all.length - 1) / (n - 1);
  return Array.from({ length: n }, (_, i) => all[Math.round(i * step)]!);
}
