/** Test helpers: a simulator and ND clients that talk to it over real HTTPS. */
import { DEFAULT_ADMIN_API_KEY, DEFAULT_PASSWORD, DEFAULT_USER, type SimulatorOptions } from "../../sim/options.ts";
import { startSimulator, type RunningSimulator } from "../../sim/simulator.ts";
import { createNdClient, type NdClient, type NdClientOptions } from "../../app/clusters/nd-client.ts";
import type { NdCredentials } from "../../app/clusters/nd-credentials.ts";
import { NdError } from "../../app/clusters/nd-errors.ts";

export { DEFAULT_ADMIN_API_KEY, DEFAULT_PASSWORD, DEFAULT_USER };

export async function startSim(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator(options);
}

export function passwordCredentials(
  overrides: Partial<Extract<NdCredentials, { mode: "password" }>> = {},
): NdCredentials {
  return { mode: "password", username: DEFAULT_USER, password: DEFAULT_PASSWORD, domain: "DefaultAuth", ...overrides };
}

export function clientFor(sim: RunningSimulator, overrides: Partial<NdClientOptions> = {}): NdClient {
  return createNdClient({
    cluster: { id: "00000000-0000-4000-8000-000000000001", name: "sim" },
    baseUrl: sim.url,
    credentials: passwordCredentials(),
    tls: { verify: true, caPem: sim.caPem },
    timeoutMs: 5_000,
    maxConcurrency: 8,
    retry: { baseDelayMs: 20, maxDelayMs: 100 },
    loginFailureHoldMs: 0,
    ...overrides,
  });
}

/** The NdError a promise rejects with (fails the test if it resolves or throws something else). */
export async function ndErrorOf(promise: Promise<unknown>): Promise<NdError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof NdError) return err;
    throw new Error(`expected an NdError, got ${(err as Error)?.name}: ${(err as Error)?.message}`);
  }
  throw new Error("expected an NdError, but the request succeeded");
}

export const FABRICS = { method: "GET", basePath: "/api/v1/manage", pathTemplate: "/fabrics" } as const;

export function fault(spec: string): Record<string, string> {
  return { "X-Sim-Fault": spec };
}
