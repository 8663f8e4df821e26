/**
 * Orchestrator (NDO) sites. Each carries the APIC/NDFC login `password` in clear, exactly the
 * field the gateway must redact before a model sees it.
 */
import { rngFor } from "../prng.ts";
import type { Fabric } from "./model.ts";
import { PROMPT_INJECTIONS } from "./vocabulary.ts";

export function generateSites(seed: number, fabrics: Fabric[]) {
  return fabrics.slice(0, 4).map((fabric, i) => {
    const rng = rngFor(seed, "site", fabric.name);
    return {
      id: rng.hex(24),
      name: fabric.name,
      urls: [`https://10.${i}.0.1`],
      username: "admin",
      password: `Site-${rng.alnum(12)}`,
      apicSiteId: String(i + 1),
      platform: "on-premise",
      cloudProviders: [],
      apicVersion: "10.4(2)",
      labels: i === 0 ? ["production", PROMPT_INJECTIONS[1] as string] : ["production"],
      _updateVersion: rng.int(1, 9),
      maintenanceMode: false,
      passwordEncryptionStatus: false,
      useProxy: false,
      health: { score: rng.int(80, 100) },
      faults: [],
      clusterStatus: [],
    };
  });
}
