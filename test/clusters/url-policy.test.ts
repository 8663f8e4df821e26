// The SSRF guard: allow-list forms, resolved addresses, loopback/link-local, URL shape.
import { describe, expect, test } from "bun:test";
import { checkClusterUrl, parseUrlPolicy, type Resolver } from "../../app/clusters/cluster-url-policy.ts";
import { Invalid } from "../../app/errors.ts";

const dns: Record<string, string[]> = {
  "nd1.dc.example.com": ["10.1.2.3"],
  "nd2.dc.example.com": ["10.1.2.4", "2001:db8::4"],
  "rebind.example.com": ["10.1.2.5", "127.0.0.1"],
  "metadata.example.com": ["169.254.169.254"],
  "mapped.example.com": ["::ffff:127.0.0.1"],
  "public.example.org": ["203.0.113.7"],
  "zero.example.com": ["0.0.0.0"],
  localhost: ["127.0.0.1", "::1"],
};
const resolve: Resolver = async (host) => {
  const found = dns[host];
  if (!found) throw new Error("ENOTFOUND");
  return found;
};

const any = parseUrlPolicy(["*"], false);
const anyLoopback = parseUrlPolicy(["*"], true);

async function refusal(url: string, policy = any): Promise<string> {
  try {
    await checkClusterUrl(url, policy, resolve);
  } catch (err) {
    expect(err).toBeInstanceOf(Invalid);
    return (err as Error).message;
  }
  throw new Error(`${url} was accepted`);
}

describe("URL shape", () => {
  test("the origin is what is kept", async () => {
    expect(await checkClusterUrl("https://ND1.dc.example.com/", any, resolve)).toBe("https://nd1.dc.example.com");
    expect(await checkClusterUrl("https://nd1.dc.example.com:8443", any, resolve)).toBe(
      "https://nd1.dc.example.com:8443",
    );
    expect(await checkClusterUrl("https://10.1.2.3:443", any, resolve)).toBe("https://10.1.2.3");
  });

  test.each([
    ["http://nd1.dc.example.com", "https://"],
    ["ftp://nd1.dc.example.com", "https://"],
    ["https://admin:pw@nd1.dc.example.com", "user name or password"],
    ["https://nd1.dc.example.com/api", "scheme, host and port only"],
    ["https://nd1.dc.example.com/?x=1", "scheme, host and port only"],
    ["https://nd1.dc.example.com/#x", "scheme, host and port only"],
    ["not a url", "not a URL"],
  ])("%s is refused", async (url, reason) => {
    expect(await refusal(url)).toContain(reason);
  });
});

describe("addresses that are never or only explicitly allowed", () => {
  test.each([
    ["https://127.0.0.1", "loopback"],
    ["https://localhost", "loopback"],
    ["https://[::1]", "loopback"],
    ["https://0x7f000001", "loopback"],
    ["https://2130706433", "loopback"],
    ["https://[::ffff:127.0.0.1]", "loopback"],
    ["https://mapped.example.com", "loopback"],
    ["https://169.254.169.254", "link-local"],
    ["https://metadata.example.com", "link-local"],
    ["https://[fe80::1]", "link-local"],
    ["https://rebind.example.com", "loopback"],
  ])("%s is refused without CLUSTER_ALLOW_LOOPBACK", async (url, reason) => {
    const message = await refusal(url);
    expect(message).toContain(reason);
    expect(message).toContain("CLUSTER_ALLOW_LOOPBACK");
  });

  test("with CLUSTER_ALLOW_LOOPBACK the simulator's addresses are fine", async () => {
    expect(await checkClusterUrl("https://127.0.0.1:4443", anyLoopback, resolve)).toBe("https://127.0.0.1:4443");
    expect(await checkClusterUrl("https://localhost:4443", anyLoopback, resolve)).toBe("https://localhost:4443");
  });

  test.each([
    "https://0.0.0.0",
    "https://[::]",
    "https://224.0.0.1",
    "https://255.255.255.255",
    "https://zero.example.com",
  ])("%s is never allowed", async (url) => {
    expect(await refusal(url, anyLoopback)).toContain("not a usable cluster address");
  });

  test("a name that does not resolve is refused", async () => {
    expect(await refusal("https://nowhere.example.com")).toContain("cannot resolve");
  });
});

describe("the allow-list", () => {
  const policy = parseUrlPolicy(
    ["nd1.dc.example.com", "*.lab.example.net", "10.1.2.0/24", "192.0.2.9", "2001:db8::/32"],
    false,
  );
  const withLab: Resolver = async (host) => (host === "x.lab.example.net" ? ["198.51.100.1"] : resolve(host));

  test("exact names, *.suffixes, addresses and CIDR ranges match", async () => {
    expect(await checkClusterUrl("https://nd1.dc.example.com", policy, resolve)).toBeTruthy();
    expect(await checkClusterUrl("https://x.lab.example.net", policy, withLab)).toBeTruthy();
    expect(await checkClusterUrl("https://10.1.2.200", policy, resolve)).toBeTruthy();
    expect(await checkClusterUrl("https://192.0.2.9", policy, resolve)).toBeTruthy();
    // not listed by name, but every resolved address lies in allowed ranges
    expect(await checkClusterUrl("https://nd2.dc.example.com", policy, resolve)).toBeTruthy();
  });

  test("anything else is refused, naming the setting", async () => {
    expect(await refusal("https://public.example.org", policy)).toContain("CLUSTER_ALLOWLIST");
    expect(await refusal("https://10.1.3.1", policy)).toContain("CLUSTER_ALLOWLIST");
    expect(await refusal("https://192.0.2.10", policy)).toContain("CLUSTER_ALLOWLIST");
    expect(await refusal("https://lab.example.net.evil.com", policy)).toContain("cannot resolve");
  });

  test("an allowed name still may not resolve to loopback", async () => {
    const named = parseUrlPolicy(["rebind.example.com"], false);
    expect(await refusal("https://rebind.example.com", named)).toContain("loopback");
  });

  test("bad entries are all reported at once", () => {
    expect(() => parseUrlPolicy(["ok.example.com", "10.0.0.0/33", "bad host", "*.", "1.2.3"], false)).toThrow(
      /10\.0\.0\.0\/33.*bad host.*\*\..*1\.2\.3/,
    );
  });
});
