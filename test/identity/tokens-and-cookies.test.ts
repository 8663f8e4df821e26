import { expect, test } from "bun:test";
import { newApiToken, parseApiToken } from "../../app/identity/api-token-format.ts";
import { digestsEqual, sha256Hex } from "../../app/identity/secret-tokens.ts";
import {
  clearSessionCookie,
  readSessionCookie,
  sessionCookie,
  SESSION_COOKIE,
} from "../../app/identity/session-cookie.ts";
import { csrfTokenFor, newSessionToken, parseSessionToken, verifyCsrfToken } from "../../app/identity/session-token.ts";

test("session tokens are id.secret; only a digest of the secret is meant for storage", () => {
  const t = newSessionToken();
  expect(t.token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  expect(parseSessionToken(t.token)).toEqual({ id: t.id, secret: t.secret });
  expect(t.secretHash).toBe(sha256Hex(t.secret));
  expect(t.secretHash).not.toContain(t.secret);
  for (const bad of ["", "x.y", `${t.id}.${t.secret}x`, `${t.id}${t.secret}`, null, undefined])
    expect(parseSessionToken(bad)).toBeNull();
});

test("API tokens are nmg_<id>_<secret> and parse with or without 'Bearer '", () => {
  const t = newApiToken();
  expect(t.token).toMatch(/^nmg_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
  expect(parseApiToken(t.token)).toEqual({ id: t.id, secret: t.secret });
  expect(parseApiToken(`Bearer ${t.token}`)).toEqual({ id: t.id, secret: t.secret });
  for (const bad of ["", "nmg_", `nmg_${t.id}`, t.token.replace("nmg_", "xyz_"), `${t.token}=`, "Bearer"])
    expect(parseApiToken(bad)).toBeNull();
});

test("digest comparison is equality", () => {
  expect(digestsEqual("abc", "abc")).toBe(true);
  expect(digestsEqual("abc", "abd")).toBe(false);
  expect(digestsEqual("abc", "abcd")).toBe(false);
});

test("the cookie is __Host-, HttpOnly, Secure, SameSite=Lax, Path=/; clearing expires it", () => {
  expect(SESSION_COOKIE).toBe("__Host-nmg_session");
  const c = sessionCookie("tok");
  expect(c).toBe("__Host-nmg_session=tok; Path=/; Secure; HttpOnly; SameSite=Lax");
  expect(c).not.toContain("Domain");
  expect(sessionCookie("tok", 3600)).toEndWith("; Max-Age=3600");
  expect(clearSessionCookie()).toBe("__Host-nmg_session=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
  expect(readSessionCookie("a=1; __Host-nmg_session=abc.def; b=2")).toBe("abc.def");
  expect(readSessionCookie("nmg_session=abc")).toBeNull();
  expect(readSessionCookie(undefined)).toBeNull();
});

test("the CSRF token is bound to its session and checked in constant time", () => {
  const a = newSessionToken().token;
  const b = newSessionToken().token;
  const csrf = csrfTokenFor(a)!;
  expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(csrfTokenFor(a)).toBe(csrf);
  expect(verifyCsrfToken(a, csrf)).toBe(true);
  expect(verifyCsrfToken(b, csrf)).toBe(false);
  expect(verifyCsrfToken(a, "")).toBe(false);
  expect(verifyCsrfToken(a, undefined)).toBe(false);
  expect(csrfTokenFor("garbage")).toBeNull();
});
