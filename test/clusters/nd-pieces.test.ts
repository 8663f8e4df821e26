// Small pure pieces of the ND client: URL building, retry policy, redaction, semaphore, login parsing.
import { describe, expect, test } from "bun:test";
import { buildNdUrl, pathParamProblem } from "../../app/clusters/nd-url.ts";
import {
  isIdempotent,
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
  DEFAULT_RETRY,
} from "../../app/clusters/nd-retry.ts";
import { ndMessageOf, scrubSecrets } from "../../app/clusters/nd-redact.ts";
import { Semaphore, SemaphoreFull, SemaphoreTimeout } from "../../app/clusters/semaphore.ts";
import { readLoginResponse, renewAfterMs } from "../../app/clusters/nd-login.ts";
import type { NdError } from "../../app/clusters/nd-errors.ts";
import { versionOf } from "../../app/clusters/connection-test.ts";

describe("nd-url", () => {
  test("builds origin + base path + encoded template", () => {
    const url = buildNdUrl({
      baseUrl: "https://nd.example.com:8443",
      basePath: "/api/v1/manage/",
      pathTemplate: "/fabrics/{fabricName}/switches/{switchId}",
      pathParams: { fabricName: "Fab 1", switchId: 42 },
    });
    expect(url.toString()).toBe("https://nd.example.com:8443/api/v1/manage/fabrics/Fab%201/switches/42");
  });

  test("identifiers with colons, dots and unicode are fine", () => {
    for (const ok of ["aa:bb:cc:dd:ee:ff", "v1.2", "FDO1234X", "fabric_ü", "a..b".replace("..", "-")])
      expect(pathParamProblem(ok)).toBeUndefined();
  });

  test("problems are named", () => {
    expect(pathParamProblem("a/b")).toBe("contains a slash");
    expect(pathParamProblem("a%2Fb")).toBe("contains a percent-encoded sequence");
    expect(pathParamProblem("..")).toBe("contains a dot segment");
    expect(pathParamProblem("x\u0000")).toBe("contains a control character");
    expect(pathParamProblem("x".repeat(2000))).toContain("longer than");
  });
});

describe("nd-retry", () => {
  test("only GET/HEAD and POSTs marked as reads are idempotent", () => {
    expect(isIdempotent("GET", undefined)).toBe(true);
    expect(isIdempotent("POST", undefined)).toBe(false);
    expect(isIdempotent("POST", true)).toBe(true);
    for (const m of ["PUT", "PATCH", "DELETE"]) expect(isIdempotent(m, true)).toBe(false);
  });

  test("retryable statuses", () => {
    expect([408, 429, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 500, 501].some(isRetryableStatus)).toBe(false);
  });

  test("Retry-After as seconds or a date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString(), Date.now())).toBeGreaterThan(3000);
    expect(parseRetryAfter("soon")).toBeUndefined();
  });

  test("exponential back-off with full jitter, Retry-After as a floor, capped", () => {
    expect(retryDelayMs(1, undefined, DEFAULT_RETRY, () => 0.999)).toBeLessThan(250);
    expect(retryDelayMs(3, undefined, DEFAULT_RETRY, () => 0.999)).toBeGreaterThan(900);
    expect(retryDelayMs(10, undefined, DEFAULT_RETRY, () => 0.999)).toBeLessThanOrEqual(5000);
    expect(retryDelayMs(1, 2000, DEFAULT_RETRY, () => 0)).toBe(2000);
    expect(retryDelayMs(1, 60_000, DEFAULT_RETRY, () => 0)).toBeUndefined();
  });
});

describe("nd-redact", () => {
  test("known secrets, JWTs, bearer values, cookies and secret fields are scrubbed", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJ1c2VybmFtZSI6ImFkbWluIn0.c2lnbmF0dXJl";
    const text = `login failed for password hunter2-long; token ${jwt}; Authorization: Bearer abc.def; Cookie: AuthCookie=xyz123; {"userPasswd":"p@ss w0rd","apiKey":"k-1"}`;
    const out = scrubSecrets(text, ["hunter2-long"]);
    for (const leaked of ["hunter2-long", jwt, "abc.def", "xyz123", "p@ss w0rd", "k-1"])
      expect(out).not.toContain(leaked);
    expect(out).toContain("login failed for password");
  });

  test("ND's message shapes", () => {
    expect(ndMessageOf({ code: 404, message: "Not Found", description: "no fabric x" })).toBe(
      "Not Found — no fabric x",
    );
    expect(ndMessageOf({ error: "dial tcp 10.0.0.5:49: connection refused", statusCode: 500 })).toContain(
      "connection refused",
    );
    expect(
      ndMessageOf({
        timestamp: 1,
        status: 500,
        error: "Internal Server Error",
        message: "Failed to delete the fabric.",
      }),
    ).toBe("Failed to delete the fabric. — Internal Server Error");
    expect(ndMessageOf("Failed to delete the fabric.")).toBe("Failed to delete the fabric.");
    expect(ndMessageOf({ messages: [{ code: 1, severity: "ERROR", message: "bad thing" }] })).toBe("bad thing");
    expect(ndMessageOf("<!DOCTYPE html><html></html>")).toBeUndefined();
  });
});

describe("semaphore", () => {
  test("grants in FIFO order, bounds the queue, times out waiters", async () => {
    const s = new Semaphore(1, 2, 100);
    const first = await s.acquire();
    const order: number[] = [];
    const a = s.acquire().then((r) => (order.push(1), r));
    const b = s.acquire().then((r) => (order.push(2), r));
    await expect(s.acquire()).rejects.toBeInstanceOf(SemaphoreFull);
    first();
    first(); // a double release frees nothing extra
    const ra = await a;
    expect(s.inUse).toBe(1);
    ra();
    (await b)();
    expect(order).toEqual([1, 2]);
    expect(s.inUse).toBe(0);
    const held = await s.acquire();
    await expect(s.acquire()).rejects.toBeInstanceOf(SemaphoreTimeout);
    held();
    expect(s.queued).toBe(0);
  });

  test("an aborted waiter leaves the queue", async () => {
    const s = new Semaphore(1, 5, 10_000);
    const held = await s.acquire();
    const controller = new AbortController();
    const waiting = s.acquire(controller.signal);
    controller.abort(new Error("gone"));
    await expect(waiting).rejects.toThrow("gone");
    expect(s.queued).toBe(0);
    held();
    expect(s.inUse).toBe(0);
  });
});

describe("login answers", () => {
  const credentials = { mode: "password" as const, username: "admin", password: "pw-123456", domain: "local" };
  const raw = (status: number, body: string) => ({
    status,
    headers: new Headers({ "content-type": "application/json" }),
    bytes: new TextEncoder().encode(body),
  });
  const ctx = { cluster: "c1", credentials, secrets: ["pw-123456"], now: 1_000_000 };

  test("token first, jwttoken as fallback", () => {
    expect(readLoginResponse(raw(200, '{"token":"a.b.c","jwttoken":"x.y.z"}'), ctx).value).toBe("a.b.c");
    expect(readLoginResponse(raw(200, '{"jwttoken":"x.y.z"}'), ctx).value).toBe("x.y.z");
  });

  test("200 with an empty body is a wrong login domain; 200 without a token is a bad response", () => {
    expect(() => readLoginResponse(raw(200, ""), ctx)).toThrow(/login domain "local" does not exist/);
    const err = (() => {
      try {
        readLoginResponse(raw(200, '{"ok":true}'), ctx);
      } catch (e) {
        return e as NdError;
      }
    })();
    expect(err?.kind).toBe("bad_response");
  });

  test("renewal at half the JWT lifetime", () => {
    const payload = Buffer.from(JSON.stringify({ exp: 1_000 + 1200 })).toString("base64url");
    expect(renewAfterMs(`h.${payload}.s`, 1_000_000)).toBe(600_000);
    expect(renewAfterMs("opaque", 0)).toBe(600_000);
  });
});

test("ND version from /version.json", () => {
  expect(versionOf({ major: 4, minor: 1, maintenance: 1, patch: "g" })).toBe("4.1.1g");
  expect(versionOf({ nope: 1 })).toBeNull();
});
