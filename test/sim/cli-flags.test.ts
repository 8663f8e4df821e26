import { describe, expect, test } from "bun:test";
import { parseFlags } from "../../sim/cli-flags.ts";
import { DEFAULT_ADMIN_API_KEY, DEFAULT_PASSWORD } from "../../sim/options.ts";

describe("ndsim flags", () => {
  test("defaults: port 8443, admin/observer with the default password, default API key", () => {
    const parsed = parseFlags([]);
    expect(parsed.kind).toBe("options");
    if (parsed.kind !== "options") return;
    expect(parsed.options.port).toBe(8443);
    expect(parsed.options.users?.map((u) => [u.userName, u.password, u.roles])).toEqual([
      ["admin", DEFAULT_PASSWORD, ["super-admin"]],
      ["observer", DEFAULT_PASSWORD, ["observer"]],
    ]);
    expect(parsed.options.apiKeys?.[0]).toEqual({ userName: "admin", key: DEFAULT_ADMIN_API_KEY });
    expect(parsed.options.remoteDomainReachable).toBe(true);
  });

  test("every documented flag is read, in both --flag value and --flag=value forms", () => {
    const parsed = parseFlags([
      "--port",
      "0",
      "--host=0.0.0.0",
      "--http-port",
      "8080",
      "--specs",
      "/x",
      "--seed",
      "9",
      "--fabrics",
      "50",
      "--switches=200",
      "--token-lifetime",
      "60",
      "--latency",
      "25",
      "--error-rate",
      "0.1",
      "--cert-dir",
      "/c",
      "--user",
      "root",
      "--password",
      "pw",
      "--api-key",
      "k",
      "--remote-domain",
      "tacacs",
      "--remote-domain-down",
    ]);
    expect(parsed).toMatchObject({
      kind: "options",
      options: {
        port: 0,
        host: "0.0.0.0",
        httpPort: 8080,
        specsDir: "/x",
        seed: 9,
        fabrics: 50,
        switches: 200,
        tokenLifetimeSec: 60,
        latencyMs: 25,
        errorRate: 0.1,
        certDir: "/c",
        remoteDomain: "tacacs",
        remoteDomainReachable: false,
        apiKeys: [{ userName: "root", key: "k" }, { userName: "observer" }],
      },
    });
    if (parsed.kind === "options")
      expect(parsed.options.users?.[0]).toEqual({ userName: "root", password: "pw", roles: ["super-admin"] });
  });

  test("bad values and unknown flags are all reported together", () => {
    const parsed = parseFlags(["--port", "99999", "--error-rate", "2", "--frobnicate", "--seed"]);
    expect(parsed.kind).toBe("errors");
    if (parsed.kind === "errors") expect(parsed.errors).toHaveLength(4);
  });

  test("--help", () => {
    expect(parseFlags(["--help"]).kind).toBe("help");
  });
});
