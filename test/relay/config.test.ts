import assert from "node:assert/strict";
import { resolve } from "node:path";
import { ConfigError, RELAY_HELP, parseRelayConfig } from "../../relay/config";

const defaults = { webDir: "/srv/tether/web" };

describe("relay config", () => {
  it("defaults to 127.0.0.1:8787 and the bundled web app", () => {
    const config = parseRelayConfig([], {}, defaults)!;
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.port, 8787);
    assert.equal(config.webDir, "/srv/tether/web");
    assert.match(config.dataDir, /\.tether\/relay$/);
  });

  it("reads TETHER_* variables, and flags win over them", () => {
    const env = {
      TETHER_HOST: "0.0.0.0",
      TETHER_PORT: "9000",
      TETHER_DATA_DIR: "/var/lib/tether",
      TETHER_PUBLIC_URL: "https://t.example/x",
    };
    const fromEnv = parseRelayConfig([], env, defaults)!;
    assert.deepEqual(
      [fromEnv.host, fromEnv.port, fromEnv.dataDir, fromEnv.publicUrl],
      ["0.0.0.0", 9000, "/var/lib/tether", "https://t.example"],
    );
    const flagged = parseRelayConfig(["--port", "0", "--host", "::1"], env, defaults)!;
    assert.deepEqual([flagged.host, flagged.port], ["::1", 0]);
  });

  it("listens where --listen says, with or without a port; --host is the same flag", () => {
    const at = (argv: string[], env = {}) => {
      const c = parseRelayConfig(argv, env, defaults)!;
      return [c.host, c.port];
    };
    assert.deepEqual(at(["--listen", "0.0.0.0:9000"]), ["0.0.0.0", 9000]);
    assert.deepEqual(at(["--listen", "0.0.0.0"]), ["0.0.0.0", 8787]);
    assert.deepEqual(at(["--listen", "[::1]:0"]), ["::1", 0]);
    assert.deepEqual(at(["--listen", "::"]), ["::", 8787]);
    assert.deepEqual(at(["--listen", "localhost", "--port", "9001"]), ["localhost", 9001]);
    assert.deepEqual(at(["--host", "10.0.0.2"]), ["10.0.0.2", 8787]);
    assert.deepEqual(at([], { TETHER_LISTEN: "0.0.0.0:7000", TETHER_PORT: "9000" }), ["0.0.0.0", 7000]);
    assert.throws(() => parseRelayConfig(["--listen", "0.0.0.0:9000", "--port", "9001"], {}, defaults), /give the port once/);
    assert.throws(() => parseRelayConfig(["--listen", "a", "--host", "b"], {}, defaults), /--host is another name for --listen/);
    assert.throws(() => parseRelayConfig(["--listen", "1.2.3.4:"], {}, defaults), /--listen must be an address/);
    assert.throws(() => parseRelayConfig(["--listen", "1.2.3.4:99999"], {}, defaults), /--port must be 0–65535/);
    assert.match(RELAY_HELP, /--listen <addr>/);
  });

  it("reads retention and per-device rates, with defaults of 30 days, 1 GB per host, 50 and 5,000 events a second", () => {
    const config = parseRelayConfig([], {}, defaults)!;
    assert.deepEqual(config.retention, { days: 30, hostQuotaBytes: 1024 * 1024 * 1024 });
    assert.deepEqual(config.eventRates, { phone: 50, host: 5000 });
    const set = parseRelayConfig(
      ["--retention-days", "0", "--host-quota", "64", "--phone-rate", "5"],
      { TETHER_HOST_RATE: "900", TETHER_RETENTION_DAYS: "7" },
      defaults,
    )!;
    assert.deepEqual(set.retention, { days: 0, hostQuotaBytes: 64 * 1024 * 1024 });
    assert.deepEqual(set.eventRates, { phone: 5, host: 900 });
    assert.throws(() => parseRelayConfig(["--retention-days=-1"], {}, defaults), /--retention-days must be a whole number/);
    assert.throws(() => parseRelayConfig(["--phone-rate", "0"], {}, defaults), /--phone-rate/);
    assert.throws(() => parseRelayConfig(["--host-quota", "1.5"], {}, defaults), /--host-quota/);
  });

  it("returns null for --help", () => {
    assert.equal(parseRelayConfig(["--help"], {}, defaults), null);
    assert.equal(parseRelayConfig(["-h"], {}, defaults), null);
  });

  it("says which setting is wrong", () => {
    assert.throws(
      () => parseRelayConfig(["--port", "http"], {}, defaults),
      (e: Error) => e instanceof ConfigError && /--port/.test(e.message),
    );
    assert.throws(() => parseRelayConfig(["--port", "70000"], {}, defaults), /--port/);
    assert.throws(() => parseRelayConfig(["--public-url", "ftp://x"], {}, defaults), /--public-url/);
    assert.throws(() => parseRelayConfig(["--log-format", "xml"], {}, defaults), /--log-format/);
    assert.throws(() => parseRelayConfig(["--nope"], {}, defaults), /--nope/);
  });

  it("turns push on by default, with the public https URL as the VAPID subject when there is one", () => {
    assert.deepEqual(parseRelayConfig([], {}, defaults)!.push, { enabled: true, subject: "mailto:tether-relay@localhost" });
    assert.deepEqual(parseRelayConfig(["--public-url", "https://t.example/app"], {}, defaults)!.push, {
      enabled: true,
      subject: "https://t.example",
    });
    const subject = (args: string[], env = {}) => {
      const push = parseRelayConfig(args, env, defaults)!.push;
      return push?.enabled ? push.subject : null;
    };
    assert.equal(subject(["--public-url", "http://192.168.1.5:8787"]), "mailto:tether-relay@localhost");
    assert.equal(subject(["--push-subject", "mailto:ops@example.com"]), "mailto:ops@example.com");
    assert.equal(subject([], { TETHER_PUSH_SUBJECT: "https://ops.example/contact" }), "https://ops.example/contact");
    assert.throws(() => parseRelayConfig(["--push-subject", "ops@example.com"], {}, defaults), /--push-subject/);
    assert.throws(() => parseRelayConfig(["--push-subject", "http://ops.example"], {}, defaults), /--push-subject/);
  });

  it("turns push off with --no-push or TETHER_PUSH=off, and wants both FCM files or neither", () => {
    assert.deepEqual(parseRelayConfig(["--no-push"], {}, defaults)!.push, { enabled: false });
    assert.deepEqual(parseRelayConfig([], { TETHER_PUSH: "off" }, defaults)!.push, { enabled: false });
    assert.throws(() => parseRelayConfig([], { TETHER_PUSH: "no" }, defaults), /TETHER_PUSH/);

    const both = parseRelayConfig(
      ["--fcm-service-account", "sa.json"],
      { TETHER_FCM_WEB_CONFIG: "/etc/tether/web.json" },
      defaults,
    )!;
    assert.ok(both.push?.enabled);
    assert.deepEqual(both.push.fcm, { serviceAccountFile: resolve("sa.json"), webConfigFile: "/etc/tether/web.json" });
    assert.throws(() => parseRelayConfig(["--fcm-service-account", "sa.json"], {}, defaults), /--fcm-web-config/);
    assert.throws(() => parseRelayConfig([], { TETHER_FCM_WEB_CONFIG: "web.json" }, defaults), /--fcm-service-account/);
    assert.throws(
      () => parseRelayConfig(["--no-push", "--fcm-service-account", "a", "--fcm-web-config", "b"], {}, defaults),
      /--no-push/,
    );
  });

  it("takes HTTPS files in pairs, from flags or TETHER_TLS_*, and says which one is missing", () => {
    assert.equal(parseRelayConfig([], {}, defaults)!.tls, undefined);
    assert.deepEqual(parseRelayConfig(["--tls-cert", "cert.pem", "--tls-key", "/etc/tether/key.pem"], {}, defaults)!.tls, {
      certFile: resolve("cert.pem"),
      keyFile: "/etc/tether/key.pem",
    });
    assert.deepEqual(parseRelayConfig([], { TETHER_TLS_CERT: "/c.pem", TETHER_TLS_KEY: "/k.pem" }, defaults)!.tls, {
      certFile: "/c.pem",
      keyFile: "/k.pem",
    });
    assert.throws(
      () => parseRelayConfig(["--tls-cert", "cert.pem"], {}, defaults),
      (e: Error) => e instanceof ConfigError && /--tls-key is missing/.test(e.message),
    );
    assert.throws(() => parseRelayConfig([], { TETHER_TLS_KEY: "/k.pem" }, defaults), /--tls-cert is missing/);
  });

  it("reads extra origins as origins, and refuses a wildcard", () => {
    assert.deepEqual(parseRelayConfig([], {}, defaults)!.allowOrigins, []);
    assert.deepEqual(
      parseRelayConfig(["--allow-origin", "https://a.example/app", "--allow-origin", "http://b.example:8080"], {}, defaults)!
        .allowOrigins,
      ["https://a.example", "http://b.example:8080"],
    );
    assert.deepEqual(
      parseRelayConfig([], { TETHER_ALLOW_ORIGIN: "https://a.example, https://c.example" }, defaults)!.allowOrigins,
      ["https://a.example", "https://c.example"],
    );
    assert.throws(() => parseRelayConfig(["--allow-origin", "*"], {}, defaults), /--allow-origin/);
    assert.throws(() => parseRelayConfig(["--allow-origin", "a.example"], {}, defaults), /--allow-origin/);
  });

  it("turns /metrics on with a token of 16 characters or more", () => {
    assert.equal(parseRelayConfig([], {}, defaults)!.metricsToken, undefined);
    assert.equal(parseRelayConfig([], { TETHER_METRICS_TOKEN: "0123456789abcdef" }, defaults)!.metricsToken, "0123456789abcdef");
    assert.throws(() => parseRelayConfig(["--metrics-token", "short"], {}, defaults), /--metrics-token/);
    assert.throws(() => parseRelayConfig(["--metrics-token", "has a space in it, long"], {}, defaults), /--metrics-token/);
  });

  it("takes a Redis URL for scale-out, and never repeats one it refuses (it may hold a password)", () => {
    assert.equal(parseRelayConfig([], {}, defaults)!.redis, undefined);
    assert.equal(
      parseRelayConfig([], { TETHER_REDIS_URL: "redis://10.0.0.5:6379/0" }, defaults)!.redis,
      "redis://10.0.0.5:6379/0",
    );
    assert.equal(
      parseRelayConfig(["--redis", "rediss://:pw@r.example:6380"], { TETHER_REDIS_URL: "redis://other" }, defaults)!.redis,
      "rediss://:pw@r.example:6380",
    );
    assert.throws(
      () => parseRelayConfig(["--redis", "http://:secret-pw@r.example"], {}, defaults),
      (e: Error) => e instanceof ConfigError && /redis:\/\//.test(e.message) && !e.message.includes("secret-pw"),
    );
  });

  it("explains every option in --help", () => {
    for (const flag of [
      "--tls-cert",
      "TETHER_TLS_CERT",
      "--tls-key",
      "--allow-origin",
      "--metrics-token",
      "/healthz",
      "--redis",
      "TETHER_REDIS_URL",
    ]) {
      assert.ok(RELAY_HELP.includes(flag), flag);
    }
  });

  it("explains every push option in --help", () => {
    for (const flag of ["--push-subject", "--fcm-service-account", "--fcm-web-config", "--no-push", "TETHER_PUSH=off"]) {
      assert.ok(RELAY_HELP.includes(flag), flag);
    }
  });
});
