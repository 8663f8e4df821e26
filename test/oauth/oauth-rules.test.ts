// Pure rules: PKCE S256, redirect URI registration and matching, resource names, client metadata.
import { describe, expect, test } from "bun:test";
import { validateClientMetadata } from "../../app/oauth/oauth-clients.ts";
import { OAuthError } from "../../app/oauth/oauth-errors.ts";
import { acceptResource, audienceMatches, resourceMetadataUrl } from "../../app/oauth/oauth-resource.ts";
import { parseOAuthToken, newOAuthToken } from "../../app/oauth/oauth-token-format.ts";
import { challengeProblem, s256, verifierMatches } from "../../app/oauth/pkce.ts";
import { findRegistered, redirectUriMatches, redirectUriProblem } from "../../app/oauth/redirect-uri.ts";

describe("PKCE", () => {
  const verifier = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const challenge = "ngF5GsXcbwljx6u133FFr3Xht9xooA_DuaX_3QwODtc";

  test("S256 is the base64url SHA-256 of the verifier (checked with Web Crypto)", async () => {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
    expect(Buffer.from(digest).toString("base64url")).toBe(challenge);
    expect(s256(verifier)).toBe(challenge);
    expect(verifierMatches(verifier, challenge)).toBe(true);
  });
  test("plain, missing method and malformed challenges are refused", () => {
    expect(challengeProblem(challenge, "plain")).toContain("plain is not accepted");
    expect(challengeProblem(challenge, null)).toContain("S256");
    expect(challengeProblem(challenge, "S512")).toContain("not supported");
    expect(challengeProblem(null, "S256")).toContain("required");
    expect(challengeProblem("short", "S256")).toContain("43 characters");
    expect(challengeProblem(challenge, "S256")).toBeNull();
  });
  test("empty, short, wrong and badly-charactered verifiers never match", () => {
    for (const v of [
      "",
      null,
      undefined,
      "a".repeat(42),
      "a".repeat(129),
      `${verifier.slice(0, -1)}!`,
      verifier.replace("d", "e"),
    ]) {
      expect(verifierMatches(v as string, challenge)).toBe(false);
    }
  });
});

describe("redirect URIs", () => {
  test.each([
    "https://app.example/cb",
    "http://127.0.0.1:4000/callback",
    "http://localhost:1/oauth/callback",
    "http://[::1]:9/cb",
  ])("accepted: %s", (u) => {
    expect(redirectUriProblem(u)).toBeNull();
  });
  test.each([
    ["http://app.example/cb", "loopback"],
    ["https://app.example/cb#x", "fragment"],
    ["https://user:pw@app.example/cb", "user info"],
    ["javascript:alert(1)", "not supported"],
    ["data:text/html,hi", "not supported"],
    ["/relative", "not an absolute URL"],
    ["https://app.example/a b", "spaces"],
    [`https://app.example/${"x".repeat(520)}`, "at most 512"],
  ])("refused: %s", (u, why) => {
    expect(redirectUriProblem(u)).toContain(why);
  });
  test("loopback URIs match on any port, nothing else does", () => {
    expect(redirectUriMatches("http://127.0.0.1:5555/cb", "http://127.0.0.1:4000/cb")).toBe(true);
    expect(redirectUriMatches("http://127.0.0.1:5555/other", "http://127.0.0.1:4000/cb")).toBe(false);
    expect(redirectUriMatches("http://localhost:5555/cb", "http://127.0.0.1:4000/cb")).toBe(false);
    expect(redirectUriMatches("https://app.example:444/cb", "https://app.example/cb")).toBe(false);
    expect(redirectUriMatches("https://app.example/cb?x=1", "https://app.example/cb")).toBe(false);
    expect(findRegistered("https://app.example/cb", ["https://x.example/", "https://app.example/cb"])).toBe(true);
  });
});

describe("resource names", () => {
  const names = {
    allowedHosts: new Set(["localhost", "gw.example.net", "::1"]),
    apiPort: () => 8444,
    uiPort: () => 7443,
  };
  test("the MCP endpoints of this gateway, canonicalised to /mcp", () => {
    expect(acceptResource(names, "https://gw.example.net:8444/mcp")).toBe("https://gw.example.net:8444/mcp");
    expect(acceptResource(names, "https://GW.example.net:8444/mcp/sse")).toBe("https://gw.example.net:8444/mcp");
    expect(acceptResource(names, "https://[::1]:8444")).toBe("https://[::1]:8444/mcp");
  });
  test("anything else is not this resource", () => {
    for (const r of [
      "https://evil.example:8444/mcp",
      "https://gw.example.net:7443/mcp",
      "http://gw.example.net:8444/mcp",
      "https://gw.example.net:8444/other",
      "https://gw.example.net:8444/mcp?x=1",
      "not a url",
    ]) {
      expect(acceptResource(names, r)).toBeNull();
    }
  });
  test("audience is checked against the Host the request used", () => {
    expect(audienceMatches("https://gw.example.net:8444/mcp", "gw.example.net:8444")).toBe(true);
    expect(audienceMatches("https://gw.example.net:8444/mcp", "localhost:8444")).toBe(false);
  });
  test("the metadata pointer for each MCP path", () => {
    expect(resourceMetadataUrl("gw.example.net:8444", "/mcp")).toBe(
      "https://gw.example.net:8444/.well-known/oauth-protected-resource/mcp",
    );
    expect(resourceMetadataUrl("gw.example.net:8444", "/mcp/messages")).toBe(
      "https://gw.example.net:8444/.well-known/oauth-protected-resource/mcp/sse",
    );
  });
});

describe("credentials and client metadata", () => {
  test("issued credentials parse back to their kind; other strings do not", () => {
    for (const kind of ["code", "access", "refresh"] as const)
      expect(parseOAuthToken(newOAuthToken(kind).token)?.kind).toBe(kind);
    expect(parseOAuthToken("nmg_0123456789abcdef01234567_" + "a".repeat(43))).toBeNull();
  });
  test("client metadata: defaults, de-duplication, public clients only", () => {
    const m = validateClientMetadata({ redirect_uris: ["https://a.example/cb", "https://a.example/cb"] });
    expect(m).toMatchObject({ clientName: "Unnamed client", redirectUris: ["https://a.example/cb"] });
    expect(() => validateClientMetadata([])).toThrow(OAuthError);
    expect(() => validateClientMetadata({ redirect_uris: "https://a.example/cb" })).toThrow("array of strings");
    expect(() => validateClientMetadata({ redirect_uris: ["https://a.example/cb"], client_name: "a\u0007b" })).toThrow(
      "printable",
    );
  });
});
