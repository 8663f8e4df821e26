import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DEFAULT_ADMIN_API_KEY } from "../../sim/options.ts";
import { bearer, DEFAULT_PASSWORD, simClient, type SimClient } from "./sim-client.ts";

let c: SimClient;
beforeAll(async () => {
  c = await simClient({ tokenLifetimeSec: 1200 });
});
afterAll(() => c.sim.stop());

const loginBody = (userName: string, userPasswd: string, domain: string) =>
  ({ method: "POST", body: JSON.stringify({ userName, userPasswd, domain }) }) as RequestInit;

function decodeJwtPart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

describe("POST /login", () => {
  test("local login returns the same JWT as token and jwttoken, plus an AuthCookie", async () => {
    const res = await c.call("/login", loginBody("admin", DEFAULT_PASSWORD, "local"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.token).toBe(body.jwttoken);
    expect(body.username).toBe("admin");
    expect(body.statusCode).toBe(200);
    const [header, payload, signature] = String(body.token).split(".");
    expect(decodeJwtPart(header as string).alg).toBe("RS256");
    const claims = decodeJwtPart(payload as string);
    expect(claims.avpair).toBe("shell:domains=all/admin/");
    expect(Number(claims.exp) - Math.floor(Date.now() / 1000)).toBeGreaterThan(1100);
    expect(signature?.length).toBeGreaterThan(100);
    expect(res.headers.get("set-cookie")).toStartWith(`AuthCookie=${body.token};`);
  });

  test("DefaultAuth logs in against the local users", async () => {
    const res = await c.call("/login", loginBody("admin", DEFAULT_PASSWORD, "DefaultAuth"));
    expect(res.status).toBe(200);
  });

  test("a wrong password is a 401", async () => {
    const res = await c.call("/login", loginBody("admin", "wrong", "local"));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: number }).code).toBe(401);
  });

  test("an unknown login domain answers 200 with an empty body", async () => {
    const res = await c.call("/login", loginBody("admin", DEFAULT_PASSWORD, "no-such-domain"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  test("the remote domain works while reachable and fails like ND's AAA client when down", async () => {
    expect((await c.call("/login", loginBody("admin", DEFAULT_PASSWORD, "radius"))).status).toBe(200);
    c.sim.users.setRemoteDomainReachable(false);
    try {
      const res = await c.call("/login", loginBody("admin", DEFAULT_PASSWORD, "radius"));
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: string; statusCode: number };
      expect(body.statusCode).toBe(500);
      expect(body.error).toMatch(/^dial tcp .+: connect: connection refused$/);
    } finally {
      c.sim.users.setRemoteDomainReachable(true);
    }
  });

  test("a body without the three documented fields is a 400", async () => {
    const res = await c.call("/login", {
      method: "POST",
      body: JSON.stringify({ username: "admin", password: DEFAULT_PASSWORD }),
    });
    expect(res.status).toBe(400);
  });

  test("the request log never holds the password", async () => {
    await c.call("/login", loginBody("admin", DEFAULT_PASSWORD, "local"));
    const entry = c.sim.requestLog.find("/login").at(-1);
    expect(entry?.body).toContain('"userPasswd":"<redacted>"');
    expect(JSON.stringify(c.sim.requestLog.all())).not.toContain(DEFAULT_PASSWORD);
  });
});

describe("credentials on later calls", () => {
  test("Bearer header, AuthCookie and the API-key pair are each accepted", async () => {
    const token = await c.login();
    const viaBearer = await c.call("/api/v1/manage/fabrics", { headers: bearer(token) });
    const viaCookie = await c.call("/api/v1/manage/fabrics", { headers: { Cookie: `other=1; AuthCookie=${token}` } });
    const viaKey = await c.call("/api/v1/manage/fabrics", {
      headers: { "X-Nd-Username": "admin", "X-Nd-Apikey": DEFAULT_ADMIN_API_KEY },
    });
    expect([viaBearer.status, viaCookie.status, viaKey.status]).toEqual([200, 200, 200]);
  });

  test("no credentials, a forged token or a wrong API key give the unified 401", async () => {
    const expected = { code: 401, message: "Unauthorized" };
    const none = await c.call("/api/v1/manage/fabrics");
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({
      ...expected,
      description: "Indicates that the request requires user authentication information.",
    });
    const forged = await c.call("/api/v1/manage/fabrics", { headers: bearer("eyJ.forged.token") });
    expect(forged.status).toBe(401);
    const badKey = await c.call("/api/v1/manage/fabrics", {
      headers: { "X-Nd-Username": "admin", "X-Nd-Apikey": "nope" },
    });
    expect(badKey.status).toBe(401);
    const otherUsersKey = await c.call("/api/v1/manage/fabrics", {
      headers: { "X-Nd-Username": "observer", "X-Nd-Apikey": DEFAULT_ADMIN_API_KEY },
    });
    expect(otherUsersKey.status).toBe(401);
  });

  test("API keys added at run time work, revoked ones stop working", async () => {
    c.sim.apiKeys.add("admin", "runtime-key-1");
    const headers = { "X-Nd-Username": "admin", "X-Nd-Apikey": "runtime-key-1" };
    expect((await c.call("/api/v1/manage/fabrics", { headers })).status).toBe(200);
    c.sim.apiKeys.revoke("runtime-key-1");
    expect((await c.call("/api/v1/manage/fabrics", { headers })).status).toBe(401);
  });

  test("logout ends the session", async () => {
    const token = await c.login();
    const out = await c.call("/logout", { method: "POST", headers: bearer(token), body: "{}" });
    expect(out.status).toBe(200);
    expect((await c.call("/api/v1/manage/fabrics", { headers: bearer(token) })).status).toBe(401);
  });

  test("an observer may read but gets the unified 403 on writes", async () => {
    const token = await c.login("observer");
    expect((await c.call("/api/v1/manage/fabrics", { headers: bearer(token) })).status).toBe(200);
    const res = await c.call("/api/v1/manage/fabrics", {
      method: "POST",
      headers: bearer(token),
      body: JSON.stringify({ name: "x1" }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      code: 403,
      message: "Forbidden",
      description: "The client does not have access rights to the content.",
    });
    expect(c.sim.state.fabric("x1")).toBeUndefined();
  });

  test("the API gateway config reports the token lifetime", async () => {
    const token = await c.login();
    const { status, body } = await c.getJson("/api/config/dn/apigwcfg/default", token);
    expect(status).toBe(200);
    expect(body.config.jwt_session_timeout_sec).toBe(1200);
  });
});

describe("token expiry", () => {
  test("after the configured lifetime the token gets a 401 saying 'token has expired'", async () => {
    const short = await simClient({ tokenLifetimeSec: 1 });
    try {
      const token = await short.login();
      expect((await short.call("/api/v1/manage/fabrics", { headers: bearer(token) })).status).toBe(200);
      await Bun.sleep(1100);
      const res = await short.call("/api/v1/manage/fabrics", { headers: bearer(token) });
      expect(res.status).toBe(401);
      expect(await res.text()).toContain("token has expired");
    } finally {
      await short.sim.stop();
    }
  });

  test("expireTokensNow expires every session; a new login works again", async () => {
    const token = await c.login();
    c.sim.expireTokensNow();
    const res = await c.call("/api/v1/manage/fabrics", { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("token has expired");
    const fresh = await c.login();
    expect((await c.call("/api/v1/manage/fabrics", { headers: bearer(fresh) })).status).toBe(200);
  });
});

describe("version and TLS", () => {
  test("/version.json (public) and NDFC about/version agree on ND 4.1 / NDFC 12.4.1.245", async () => {
    const platform = (await (await c.call("/version.json")).json()) as Record<string, unknown>;
    expect([platform.major, platform.minor]).toEqual([4, 1]);
    const token = await c.login();
    const { body } = await c.getJson("/appcenter/cisco/ndfc/api/v1/fm/about/version", token);
    expect(body.version).toBe("12.4.1.245");
  });

  test("the server certificate verifies against the CA PEM and is rejected without it", async () => {
    expect((await fetch(`${c.sim.url}/version.json`, { tls: { ca: c.sim.caPem } })).status).toBe(200);
    const localhost = c.sim.url.replace("127.0.0.1", "localhost");
    expect((await fetch(`${localhost}/version.json`, { tls: { ca: c.sim.caPem } })).status).toBe(200);
    await expect(fetch(`${c.sim.url}/version.json`)).rejects.toThrow();
    expect(await Bun.file(c.sim.certPath).text()).toBe(c.sim.caPem);
  });
});
