/** Test helpers: a simulator per file and a tiny client that trusts its CA. */
import path from "node:path";
import { DEFAULT_PASSWORD } from "../../sim/options.ts";
import { startSimulator, type RunningSimulator } from "../../sim/simulator.ts";
import type { SimulatorOptions } from "../../sim/options.ts";

export const SPECS_DIR = path.resolve(import.meta.dir, "../../../shared/nd-openapi");

export { DEFAULT_PASSWORD };

export interface SimClient {
  sim: RunningSimulator;
  /** fetch against the simulator, verifying TLS with its CA. */
  call(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  login(userName?: string, password?: string, domain?: string): Promise<string>;
  /** GET with a bearer token, parsed JSON. */
  getJson<T = any>(pathAndQuery: string, token: string): Promise<{ status: number; body: T; headers: Headers }>;
}

export async function simClient(options: SimulatorOptions = {}): Promise<SimClient> {
  const sim = await startSimulator(options);
  const call = (pathAndQuery: string, init: RequestInit = {}) =>
    fetch(`${sim.url}${pathAndQuery}`, { ...init, tls: { ca: sim.caPem } });
  const login = async (userName = "admin", password = DEFAULT_PASSWORD, domain = "local") => {
    const res = await call("/login", {
      method: "POST",
      body: JSON.stringify({ userName, userPasswd: password, domain }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
    return ((await res.json()) as { token: string }).token;
  };
  const getJson = async (pathAndQuery: string, token: string) => {
    const res = await call(pathAndQuery, { headers: { Authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  return { sim, call, login, getJson };
}

export function bearer(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${token}`, ...extra };
}
