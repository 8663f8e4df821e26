import { expect, test } from "bun:test";
import { isCommonPassword, commonPasswords } from "../../app/identity/common-passwords.ts";
import { assertPasswordAcceptable, passwordProblems } from "../../app/identity/password-policy.ts";
import { ARGON2_PARAMS, createPasswordHasher, generatePassword } from "../../app/identity/passwords.ts";
import { Invalid } from "../../app/errors.ts";

test("production parameters are at least OWASP's argon2id minimum", async () => {
  expect(ARGON2_PARAMS.memoryCost).toBeGreaterThanOrEqual(19456);
  expect(ARGON2_PARAMS.timeCost).toBeGreaterThanOrEqual(2);
  const hasher = createPasswordHasher();
  const hash = await hasher.hash("a long enough passphrase");
  expect(hash).toStartWith("$argon2id$v=19$m=19456,t=2,p=1$");
  expect(await hasher.verify(hash, "a long enough passphrase")).toBe(true);
  expect(await hasher.verify(hash, "a long enough passphrasf")).toBe(false);
  expect(hasher.needsRehash(hash)).toBe(false);
});

test("needsRehash flags other parameters and garbage; verify never throws on garbage", async () => {
  const weak = createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
  const strong = createPasswordHasher();
  const old = await weak.hash("a long enough passphrase");
  expect(strong.needsRehash(old)).toBe(true);
  expect(weak.needsRehash(old)).toBe(false);
  expect(strong.needsRehash("not a hash")).toBe(true);
  expect(await strong.verify("not a hash", "x")).toBe(false);
});

test("the dummy hash uses the current parameters and matches nothing", async () => {
  const hasher = createPasswordHasher();
  const dummy = await hasher.dummyHash();
  expect(dummy).toStartWith("$argon2id$v=19$m=19456,t=2,p=1$");
  expect(await hasher.dummyHash()).toBe(dummy);
  expect(await hasher.verify(dummy, "")).toBe(false);
});

test("policy: length, username, common list; messages never contain the password", () => {
  expect(passwordProblems("short1!", "bob")).toEqual(["must be at least 12 characters long"]);
  expect(passwordProblems("Bob.Example.Name", "bob.example.name")).toEqual(["must not be the username"]);
  expect(passwordProblems("Password1234", "bob")).toEqual(["is too common (it appears in lists of leaked passwords)"]);
  expect(passwordProblems("x".repeat(257), "bob")).toEqual(["must be at most 256 characters long"]);
  expect(passwordProblems("correct horse battery staple", "bob")).toEqual([]);
  // 12 characters, counted as characters, not bytes
  expect(passwordProblems("ääääääääääää", "bob")).toEqual([]);
  try {
    assertPasswordAcceptable("qwerty123456", "bob");
    throw new Error("accepted");
  } catch (err) {
    expect(err).toBeInstanceOf(Invalid);
    expect((err as Error).message).not.toContain("qwerty123456");
  }
});

test("the shipped common-password list is large, lower-case and compared case-insensitively", () => {
  const list = commonPasswords();
  expect(list.size).toBeGreaterThan(5000);
  expect([...list].filter((p) => [...p].length >= 12).length).toBeGreaterThan(3000);
  for (const p of ["password", "123456", "iloveyou", "qwertyuiop123", "password1234", "1q2w3e4r5t6y"])
    expect(list.has(p)).toBe(true);
  expect(isCommonPassword("QwertyUiop123")).toBe(true);
  expect(isCommonPassword("correct horse battery staple")).toBe(false);
});

test("generated passwords pass the policy and differ", () => {
  const a = generatePassword();
  const b = generatePassword();
  expect(a).toHaveLength(20);
  expect(a).not.toBe(b);
  expect(passwordProblems(a, "admin")).toEqual([]);
  expect(a).toMatch(/^[a-km-zA-HJ-NP-Z2-9]+$/);
});
