// The ND client against the simulator over real HTTPS: login, sessions, retries, limits, errors.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NdRequestRejected } from "../../app/clusters/nd-url.ts";
import {
  DEFAULT_ADMIN_API_KEY,
  DEFAULT_PASSWORD,
  FABRICS,
  clientFor,
  fault,
  ndErrorOf,
  passwordCredentials,
  startSim,
} from "./nd-harness.ts";

const sim = await startSim();
afterAll(() => sim.stop());
beforeEach(() => {
  sim.faults.clear();
  sim.faults.latencyMs = 0;
  sim.requestLog.clear();
});

const logins = () => sim.requestLog.find("/login", "POST").length;
const calls = (path = "/api/v1/manage/fabrics", method = "GET") =>
  sim.requestLog.find(path, method).filter((e) => e.path === path);

describe("login and session", () => {
  test("logs in as ND documents it and sends the token as Bearer and AuthCookie", async () => {
    const client = clientFor(sim);
    const res = await client.request(FABRICS);
    expect(res.status).toBe(200);
    expect((res.body as { fabrics: unknown[] }).fabrics.length).toBeGreaterThan(0);
    expect(res.bytes).toBeGreaterThan(10);
    expect(res.attempts).toBe(1);
    const [login] = sim.requestLog.find("/login", "POST");
    expect(JSON.parse(login!.body!)).toEqual({ userName: "admin", userPasswd: "<redacted>", domain: "DefaultAuth" });
    const [get] = calls();
    expect(get!.headers.authorization).toBe("<redacted>");
    expect(get!.headers.cookie).toBe("<redacted>");
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  test("concurrent requests share one login (single-flight)", async () => {
    const client = clientFor(sim);
    const results = await Promise.all(Array.from({ length: 10 }, () => client.request(FABRICS)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(logins()).toBe(1);
  });

  test("an expired token: one re-login, the request is sent once more and succeeds", async () => {
    const client = clientFor(sim);
    await client.request(FABRICS);
    sim.expireTokensNow();
    sim.requestLog.clear();
    const res = await client.request(FABRICS);
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(2);
    expect(sim.requestLog.all().map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      "GET /api/v1/manage/fabrics 401",
      "POST /login 200",
      "GET /api/v1/manage/fabrics 200",
    ]);
  });

  test("many requests rejected with the same expired token share one re-login", async () => {
    const client = clientFor(sim);
    await client.request(FABRICS);
    sim.expireTokensNow();
    sim.requestLog.clear();
    const results = await Promise.all(Array.from({ length: 6 }, () => client.request(FABRICS)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(logins()).toBe(1);
  });

  test("a token expiring while the request is in flight is renewed and the request replayed", async () => {
    const client = clientFor(sim);
    await client.request(FABRICS);
    sim.requestLog.clear();
    sim.faults.queue("latency=300", { path: "/api/v1/manage/fabrics" });
    const pending = client.request(FABRICS);
    await Bun.sleep(100);
    sim.expireTokensNow();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(2);
    expect(logins()).toBe(1);
  });

  test("the token is renewed proactively at half its lifetime (no 401 round trip)", async () => {
    const shortLived = await startSim({ tokenLifetimeSec: 2 });
    try {
      const client = clientFor(shortLived);
      await client.request(FABRICS);
      await Bun.sleep(1_100);
      await client.request(FABRICS);
      expect(shortLived.requestLog.all().map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
        "POST /login 200",
        "GET /api/v1/manage/fabrics 200",
        "POST /login 200",
        "GET /api/v1/manage/fabrics 200",
      ]);
    } finally {
      await shortLived.stop();
    }
  });

  test("a write rejected with 401 is replayed once after re-login (ND authenticates before it executes)", async () => {
    const client = clientFor(sim);
    await client.request(FABRICS);
    sim.expireTokensNow();
    sim.requestLog.clear();
    // An empty body: the simulator's handler refuses it, which proves the replay reached the handler.
    const err = await ndErrorOf(
      client.request({ method: "POST", basePath: "/api/v1/manage", pathTemplate: "/fabrics", body: {} }),
    );
    expect(err.upstreamStatus).toBe(400);
    expect(calls("/api/v1/manage/fabrics", "POST").map((e) => e.status)).toEqual([401, 400]);
  });

  test("a second 401 after re-login is an auth error (no loop)", async () => {
    const client = clientFor(sim);
    await client.request(FABRICS);
    sim.requestLog.clear();
    sim.faults.queue("status=401", { path: "/api/v1/manage/fabrics", count: 5 });
    const err = await ndErrorOf(client.request(FABRICS));
    expect(err.kind).toBe("auth");
    expect(logins()).toBe(1);
    expect(calls().length).toBe(2);
  });

  test("wrong password: auth error that names the user, never the password", async () => {
    const client = clientFor(sim, { credentials: passwordCredentials({ password: "wrong-password-123" }) });
    const err = await ndErrorOf(client.request(FABRICS));
    expect(err.kind).toBe("auth");
    expect(err.message).toContain("admin@DefaultAuth");
    expect(err.message).not.toContain("wrong-password-123");
    expect(calls().length).toBe(0);
  });

  test("unknown login domain (ND: 200 with an empty body) is an auth error naming the domain", async () => {
    const client = clientFor(sim, { credentials: passwordCredentials({ domain: "nosuchdomain" }) });
    const err = await ndErrorOf(client.request(FABRICS));
    expect(err.kind).toBe("auth");
    expect(err.message).toContain('login domain "nosuchdomain" does not exist');
  });

  test("remote AAA down: ND's own message is kept", async () => {
    sim.users.setRemoteDomainReachable(false);
    try {
      const client = clientFor(sim, { credentials: passwordCredentials({ domain: "radius" }) });
      const err = await ndErrorOf(client.request(FABRICS));
      expect(err.kind).toBe("upstream_error");
      expect(err.message).toContain("connection refused");
    } finally {
      sim.users.setRemoteDomainReachable(true);
    }
  });

  test("a failed login is answered from memory for a while (no hammering of ND's /login)", async () => {
    const client = clientFor(sim, {
      credentials: passwordCredentials({ password: "wrong-password-123" }),
      loginFailureHoldMs: 60_000,
    });
    await ndErrorOf(client.request(FABRICS));
    await ndErrorOf(client.request(FABRICS));
    await ndErrorOf(client.request(FABRICS));
    expect(logins()).toBe(1);
  });
});

describe("API-key mode", () => {
  test("sends X-Nd-Username and X-Nd-Apikey, never logs in", async () => {
    const client = clientFor(sim, {
      credentials: { mode: "api_key", username: "admin", apiKey: DEFAULT_ADMIN_API_KEY },
    });
    const res = await client.request(FABRICS);
    expect(res.status).toBe(200);
    expect(logins()).toBe(0);
    const [get] = calls();
    expect(get!.headers["x-nd-username"]).toBe("admin");
    expect(get!.headers["x-nd-apikey"]).toBe("<redacted>");
    expect(get!.headers.authorization).toBeUndefined();
  });

  test("a wrong key is a final auth error; the key is not in the message", async () => {
    const client = clientFor(sim, {
      credentials: { mode: "api_key", username: "admin", apiKey: "not-the-right-key-42" },
    });
    const err = await ndErrorOf(client.request(FABRICS));
    expect(err.kind).toBe("auth");
    expect(err.message).not.toContain("not-the-right-key-42");
    expect(calls().length).toBe(1);
    expect(logins()).toBe(0);
  });
});

describe("retries", () => {
  test("a GET is retried on 503 with back-off, then succeeds", async () => {
    const client = clientFor(sim);
    sim.faults.queue("status=503", { path: "/api/v1/manage/fabrics", count: 2 });
    const res = await client.request(FABRICS);
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(3);
    expect(calls().map((e) => e.status)).toEqual([503, 503, 200]);
  });

  test("a GET answered 429 with Retry-After waits that long, then succeeds", async () => {
    const client = clientFor(sim);
    await client.request(FABRICS);
    sim.requestLog.clear();
    sim.faults.queue("retry-after=1", { path: "/api/v1/manage/fabrics" });
    const started = performance.now();
    const res = await client.request(FABRICS);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(calls().map((e) => e.status)).toEqual([429, 200]);
  });

  test("a Retry-After longer than the policy allows is not waited for: rate_limited", async () => {
    const client = clientFor(sim, { retry: { baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 500 } });
    const err = await ndErrorOf(client.request({ ...FABRICS, headers: fault("retry-after=30") }));
    expect(err.kind).toBe("rate_limited");
    expect(err.details.retryAfterSeconds).toBe(30);
    expect(err.message).toContain("retry after 30 s");
    expect(calls().length).toBe(1);
  });

  test("GET retries stop after the attempt limit; the last status is reported", async () => {
    const client = clientFor(sim);
    const err = await ndErrorOf(client.request({ ...FABRICS, headers: fault("status=502") }));
    expect(err.kind).toBe("upstream_error");
    expect(err.upstreamStatus).toBe(502);
    expect(err.details.attempts).toBe(3);
    expect(calls().length).toBe(3);
  });

  test("500 is not retried (ND's 500s are deterministic)", async () => {
    const client = clientFor(sim);
    const err = await ndErrorOf(client.request({ ...FABRICS, headers: fault("status=500") }));
    expect(err.kind).toBe("upstream_error");
    expect(calls().length).toBe(1);
  });

  test("a dropped connection on a GET is retried", async () => {
    const client = clientFor(sim);
    await client.request(FABRICS);
    sim.requestLog.clear();
    sim.faults.queue("drop", { path: "/api/v1/manage/fabrics" });
    const res = await client.request(FABRICS);
    expect(res.status).toBe(200);
    expect(calls().length).toBe(2);
  });

  for (const method of ["POST", "PUT", "PATCH", "DELETE"] as const) {
    test(`${method} is never retried: on 503 exactly one request reaches ND`, async () => {
      const client = clientFor(sim);
      const err = await ndErrorOf(
        client.request({
          method,
          basePath: "/api/v1/manage",
          pathTemplate: "/fabrics",
          body: method === "DELETE" ? undefined : {},
          headers: fault("status=503"),
        }),
      );
      expect(err.kind).toBe("upstream_error");
      expect(err.upstreamStatus).toBe(503);
      expect(calls("/api/v1/manage/fabrics", method).length).toBe(1);
    });
  }

  test("a POST whose connection drops is not retried and is reported as possibly applied", async () => {
    const client = clientFor(sim);
    const err = await ndErrorOf(
      client.request({
        method: "POST",
        basePath: "/api/v1/manage",
        pathTemplate: "/fabrics",
        body: {},
        headers: fault("drop"),
      }),
    );
    expect(err.kind).toBe("unreachable");
    expect(err.details.outcomeUnknown).toBe(true);
    expect(err.message).toContain("may or may not have been applied");
    expect(calls("/api/v1/manage/fabrics", "POST").length).toBe(1);
  });

  test("a POST the caller marks as an idempotent read is retried", async () => {
    const client = clientFor(sim);
    const err = await ndErrorOf(
      client.request({
        method: "POST",
        basePath: "/api/v1/manage",
        pathTemplate: "/fabrics",
        body: {},
        idempotent: true,
        headers: fault("status=503"),
      }),
    );
    expect(err.upstreamStatus).toBe(503);
    expect(calls("/api/v1/manage/fabrics", "POST").length).toBe(3);
  });
});

describe("URLs: traversal and injection are refused before anything is sent", () => {
  const bad = [
    "..",
    ".",
    "../x",
    "a/../b",
    "a/b",
    "%2F",
    "a%2fb",
    "%5C",
    "a%5cb",
    "%2e%2e",
    "a\\b",
    "a?b",
    "a#b",
    "https://evil.example",
    "//evil.example/x",
    "a\u0000b",
    "a\nb",
    "a\rb",
    "\u007f",
    "",
  ];
  for (const value of bad) {
    test(`path parameter ${JSON.stringify(value)}`, async () => {
      const client = clientFor(sim);
      const before = sim.requestLog.size;
      await expect(
        client.request({
          method: "GET",
          basePath: "/api/v1/manage",
          pathTemplate: "/fabrics/{fabricName}",
          pathParams: { fabricName: value },
        }),
      ).rejects.toBeInstanceOf(NdRequestRejected);
      expect(sim.requestLog.size).toBe(before);
    });
  }

  const badShapes: [string, Record<string, unknown>][] = [
    ["template with ..", { pathTemplate: "/../version.json" }],
    ["absolute URL template", { pathTemplate: "https://evil.example/x" }],
    ["protocol-relative template", { pathTemplate: "//evil.example/x" }],
    ["template with a query", { pathTemplate: "/fabrics?x=1" }],
    ["template with an escape", { pathTemplate: "/fabrics%2F..%2F" }],
    ["base path with ..", { basePath: "/api/v1/../..", pathTemplate: "/x" }],
    ["missing parameter", { pathTemplate: "/fabrics/{fabricName}" }],
    ["unknown parameter", { pathTemplate: "/fabrics", pathParams: { other: "x" } }],
    ["query value with NUL", { pathTemplate: "/fabrics", query: { filter: "a\u0000b" } }],
    ["query name injection", { pathTemplate: "/fabrics", query: { "a&b=c": "1" } }],
    ["Authorization header", { pathTemplate: "/fabrics", headers: { Authorization: "Bearer x" } }],
    ["Cookie header", { pathTemplate: "/fabrics", headers: { cookie: "AuthCookie=x" } }],
    ["Host header", { pathTemplate: "/fabrics", headers: { Host: "evil.example" } }],
    ["header with CRLF", { pathTemplate: "/fabrics", headers: { "X-Ticket": "a\r\nX-Evil: 1" } }],
    ["GET with a body", { pathTemplate: "/fabrics", body: { a: 1 } }],
    ["unknown method", { method: "TRACE", pathTemplate: "/fabrics" }],
  ];
  for (const [name, shape] of badShapes) {
    test(name, async () => {
      const client = clientFor(sim);
      const before = sim.requestLog.size;
      await expect(
        client.request({ method: "GET", basePath: "/api/v1/manage", ...shape } as never),
      ).rejects.toBeInstanceOf(NdRequestRejected);
      expect(sim.requestLog.size).toBe(before);
    });
  }

  test("ordinary identifiers are encoded per segment and reach ND", async () => {
    const client = clientFor(sim);
    const err = await ndErrorOf(
      client.request({
        method: "GET",
        basePath: "/api/v1/manage",
        pathTemplate: "/fabrics/{fabricName}",
        pathParams: { fabricName: "no such fabric:1" },
      }),
    );
    expect(err.kind).toBe("not_found");
    expect(calls("/api/v1/manage/fabrics/no%20such%20fabric%3A1").length).toBe(1);
  });

  test("query parameters are encoded, arrays repeat the name", async () => {
    const client = clientFor(sim);
    await client.request({
      ...FABRICS,
      query: { filter: "name:a* AND x:&y", sort: ["name:asc", "x:desc"], max: 5, skip: undefined },
    });
    expect(calls()[0]!.query).toBe("filter=name%3Aa*+AND+x%3A%26y&sort=name%3Aasc&sort=x%3Adesc&max=5");
  });
});

describe("errors keep ND's message", () => {
  test("404 → not_found with ND's description", async () => {
    const client = clientFor(sim);
    const err = await ndErrorOf(
      client.request({
        method: "GET",
        basePath: "/api/v1/manage",
        pathTemplate: "/fabrics/{fabricName}",
        pathParams: { fabricName: "nope" },
      }),
    );
    expect(err.kind).toBe("not_found");
    expect(err.status).toBe(404);
    expect(err.message).toContain("cluster sim");
    expect(err.message).toContain("Not Found");
  });

  test("403 → forbidden", async () => {
    const err = await ndErrorOf(clientFor(sim).request({ ...FABRICS, headers: fault("status=403") }));
    expect(err.kind).toBe("forbidden");
    expect(err.message).toContain("Forbidden — Injected fault");
  });

  test("a 3xx is an upstream_error and is not followed", async () => {
    const err = await ndErrorOf(clientFor(sim).request({ ...FABRICS, headers: fault("status=302") }));
    expect(err.kind).toBe("upstream_error");
    expect(err.message).toContain("redirect");
    expect(calls().length).toBe(1);
  });

  test("an HTML page where JSON was expected → bad_response", async () => {
    const err = await ndErrorOf(clientFor(sim).request({ ...FABRICS, headers: fault("html") }));
    expect(err.kind).toBe("bad_response");
    expect(err.message).toContain("HTML");
  });

  test("invalid JSON → bad_response", async () => {
    const err = await ndErrorOf(clientFor(sim).request({ ...FABRICS, headers: fault("invalid-json") }));
    expect(err.kind).toBe("bad_response");
    expect(err.message).toContain("invalid JSON");
  });

  test("a body over the size limit is abandoned → bad_response", async () => {
    const client = clientFor(sim, { maxResponseBytes: 1024 * 1024 });
    const started = performance.now();
    const err = await ndErrorOf(client.request({ ...FABRICS, headers: fault("huge=50mb") }));
    expect(err.kind).toBe("bad_response");
    expect(err.message).toContain("size limit");
    expect(performance.now() - started).toBeLessThan(3000);
  });

  test("slow answer → timeout (not retried)", async () => {
    const client = clientFor(sim, { timeoutMs: 300 });
    await client.request(FABRICS);
    sim.requestLog.clear();
    const err = await ndErrorOf(client.request({ ...FABRICS, headers: fault("latency=2000") }));
    expect(err.kind).toBe("timeout");
    expect(err.status).toBe(504);
    expect(calls().length).toBe(1);
  });

  test("a body trickling in past the timeout → timeout", async () => {
    const client = clientFor(sim, { timeoutMs: 400 });
    await client.request(FABRICS);
    const err = await ndErrorOf(client.request({ ...FABRICS, headers: fault("slow-body=2000") }));
    expect(err.kind).toBe("timeout");
  });

  test("nothing listening → unreachable", async () => {
    const closed = Bun.serve({ port: 0, fetch: () => new Response("") });
    const port = closed.port;
    await closed.stop(true);
    const client = clientFor(sim, { baseUrl: `https://127.0.0.1:${port}` });
    const err = await ndErrorOf(client.request(FABRICS));
    expect(err.kind).toBe("unreachable");
    expect(err.status).toBe(502);
  });

  test("the caller's abort is passed through as-is", async () => {
    const client = clientFor(sim);
    await client.request(FABRICS);
    const controller = new AbortController();
    const pending = client.request({ ...FABRICS, headers: fault("latency=1000"), signal: controller.signal });
    setTimeout(() => controller.abort(new DOMException("stop", "AbortError")), 100);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("TLS", () => {
  test("a server whose certificate is not signed by the cluster's CA → tls error", async () => {
    const other = await startSim({ certDir: mkdtempSync(join(tmpdir(), "nd-other-ca-")) });
    try {
      const client = clientFor(sim, { tls: { verify: true, caPem: other.caPem } });
      const err = await ndErrorOf(client.request(FABRICS));
      expect(err.kind).toBe("tls");
      expect(sim.requestLog.size).toBe(0);
    } finally {
      await other.stop();
    }
  });

  test("without a CA bundle the system trust store is used: a private CA is refused", async () => {
    const err = await ndErrorOf(clientFor(sim, { tls: { verify: true } }).request(FABRICS));
    expect(err.kind).toBe("tls");
  });

  test("a host name the certificate does not cover → tls error", async () => {
    const wide = await startSim({ host: "0.0.0.0" });
    try {
      const client = clientFor(wide, {
        baseUrl: `https://127.0.0.2:${wide.port}`,
        tls: { verify: true, caPem: wide.caPem },
      });
      const err = await ndErrorOf(client.request(FABRICS));
      expect(err.kind).toBe("tls");
    } finally {
      await wide.stop();
    }
  });

  test("insecure mode connects without verification and says so", async () => {
    const client = clientFor(sim, { tls: { verify: false } });
    expect(client.insecure).toBe(true);
    expect((await client.request(FABRICS)).status).toBe(200);
    expect(clientFor(sim).insecure).toBe(false);
  });
});

describe("concurrency limit", () => {
  test("at most maxConcurrency requests are in flight; the rest queue", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const counting = (async (input: RequestInfo | URL, init?: RequestInit) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const res = await fetch(input, init);
        await Bun.sleep(0);
        return res;
      } finally {
        inFlight--;
      }
    }) as typeof fetch;
    const client = clientFor(sim, { maxConcurrency: 3, fetch: counting });
    await client.request(FABRICS); // log in first
    sim.requestLog.clear();
    sim.faults.latencyMs = 200;
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 9 }, () => client.request(FABRICS)));
    const elapsed = performance.now() - started;
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(maxInFlight).toBe(3);
    expect(elapsed).toBeGreaterThanOrEqual(3 * 200 - 30);
    // The simulator saw them arrive in waves of at most three.
    const arrivals = calls()
      .map((e) => Date.parse(e.time))
      .sort((a, b) => a - b);
    for (const t of arrivals) expect(arrivals.filter((u) => u >= t && u < t + 150).length).toBeLessThanOrEqual(3);
  });

  test("a full queue is refused at once (rate_limited), a long wait times out", async () => {
    const client = clientFor(sim, { maxConcurrency: 1, maxQueue: 1, queueTimeoutMs: 5_000 });
    await client.request(FABRICS);
    sim.faults.latencyMs = 300;
    const first = client.request(FABRICS);
    const second = client.request(FABRICS);
    const third = ndErrorOf(client.request(FABRICS));
    expect((await third).kind).toBe("rate_limited");
    await Promise.all([first, second]);

    const impatient = clientFor(sim, { maxConcurrency: 1, queueTimeoutMs: 100 });
    await impatient.request(FABRICS);
    const busy = impatient.request(FABRICS);
    const waited = await ndErrorOf(impatient.request(FABRICS));
    expect(waited.kind).toBe("timeout");
    expect(waited.message).toContain("no free request slot");
    await busy;
  });
});

test("the password never appears in any error message of a failed login", async () => {
  const secret = "s3cret-Password-that-must-not-leak";
  const client = clientFor(sim, { credentials: passwordCredentials({ password: secret }) });
  const messages: string[] = [];
  for (const f of [undefined, "status=500", "html"]) {
    const err = await ndErrorOf(client.request({ ...FABRICS, headers: f ? fault(f) : {} }));
    messages.push(err.message, JSON.stringify(err.details));
  }
  expect(messages.join("\n")).not.toContain(secret);
  expect(DEFAULT_PASSWORD).not.toBe(secret);
});
