/**
 * Faults a request can ask for, from the `X-Sim-Fault` header or the queue:
 *
 *   X-Sim-Fault: status=503            answer 503 in the API family's error shape
 *   X-Sim-Fault: latency=2000          wait 2000 ms before answering
 *   X-Sim-Fault: drop                  close the connection without any response
 *   X-Sim-Fault: slow-body=3000        send headers at once, trickle the body over 3000 ms
 *   X-Sim-Fault: retry-after=2         429 Too Many Requests with `Retry-After: 2`
 *   X-Sim-Fault: expire-token          expire the caller's session first (→ "token has expired")
 *   X-Sim-Fault: html                  answer an HTML page instead of JSON (status=… sets its code)
 *   X-Sim-Fault: invalid-json          cut the JSON body in half (still labelled JSON)
 *   X-Sim-Fault: huge=20mb             a valid JSON body of that size (k/kb/m/mb suffixes)
 *
 * Several directives combine with `;` or `,`, e.g. `status=502; html` or `latency=500, slow-body=2000`.
 */

export interface FaultSpec {
  status?: number;
  latencyMs?: number;
  drop?: boolean;
  slowBodyMs?: number;
  retryAfterSec?: number;
  expireToken?: boolean;
  html?: boolean;
  invalidJson?: boolean;
  hugeBytes?: number;
}

export class FaultSyntaxError extends Error {}

export const DEFAULT_SLOW_BODY_MS = 3000;
export const DEFAULT_HUGE_BYTES = 20 * 1024 * 1024;

export function parseFault(text: string): FaultSpec {
  const spec: FaultSpec = {};
  for (const directive of text
    .split(/[;,]/)
    .map((d) => d.trim())
    .filter(Boolean)) {
    const eq = directive.indexOf("=");
    const name = (eq < 0 ? directive : directive.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : directive.slice(eq + 1).trim();
    applyDirective(spec, name, value);
  }
  return spec;
}

function applyDirective(spec: FaultSpec, name: string, value: string | undefined): void {
  switch (name) {
    case "status":
      spec.status = integer(name, value, 100, 599);
      return;
    case "latency":
      spec.latencyMs = integer(name, value, 0, 600_000);
      return;
    case "drop":
      spec.drop = true;
      return;
    case "slow-body":
      spec.slowBodyMs = value === undefined ? DEFAULT_SLOW_BODY_MS : integer(name, value, 0, 600_000);
      return;
    case "retry-after":
      spec.retryAfterSec = value === undefined ? 1 : integer(name, value, 0, 86_400);
      return;
    case "expire-token":
      spec.expireToken = true;
      return;
    case "html":
      spec.html = true;
      return;
    case "invalid-json":
      spec.invalidJson = true;
      return;
    case "huge":
      spec.hugeBytes = value === undefined ? DEFAULT_HUGE_BYTES : byteSize(value);
      return;
    default:
      throw new FaultSyntaxError(`unknown fault "${name}"`);
  }
}

function integer(name: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new FaultSyntaxError(`${name} needs an integer value`);
  const n = Number(value);
  if (n < min || n > max) throw new FaultSyntaxError(`${name} must be between ${min} and ${max}`);
  return n;
}

function byteSize(value: string): number {
  const m = /^(\d+)\s*(b|k|kb|m|mb)?$/i.exec(value);
  if (!m) throw new FaultSyntaxError(`huge needs a size like 512kb or 20mb`);
  const unit = (m[2] ?? "b").toLowerCase();
  const factor = unit.startsWith("m") ? 1024 * 1024 : unit.startsWith("k") ? 1024 : 1;
  const bytes = Number(m[1]) * factor;
  if (bytes > 1024 * 1024 * 1024) throw new FaultSyntaxError("huge is capped at 1gb");
  return bytes;
}

export function mergeFaults(...specs: (FaultSpec | undefined)[]): FaultSpec {
  return Object.assign({}, ...specs.filter(Boolean));
}

export function isEmptyFault(spec: FaultSpec): boolean {
  return Object.keys(spec).length === 0;
}
