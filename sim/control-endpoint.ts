/**
 * `/__sim/…`: test and demo control over HTTP, mirroring the programmatic API.
 *
 *   GET    /__sim/faults            pending queue size and run-level knobs
 *   POST   /__sim/faults            {"fault": "status=503", "count": 3, "path": "/api/v1/manage", "method": "GET"}
 *   DELETE /__sim/faults            empty the queue
 *   PUT    /__sim/settings          {"latencyMs", "errorRate", "remoteDomainReachable", "tokenLifetimeSec"}
 *   POST   /__sim/expire-tokens     expire every session now
 *   GET    /__sim/requests          the request log; DELETE clears it
 *
 * Unauthenticated by design: the simulator is a test tool and listens on loopback by default.
 */
import type { SessionStore } from "./auth/sessions.ts";
import type { UserDirectory } from "./auth/users.ts";
import type { FaultController } from "./faults/fault-controller.ts";
import { FaultSyntaxError, type FaultSpec } from "./faults/fault-spec.ts";
import { unifiedError } from "./http/errors.ts";
import { json } from "./http/respond.ts";
import { isRecord, readJsonBody } from "./http/route.ts";
import type { RequestLog } from "./request-log.ts";

export interface ControlDeps {
  faults: FaultController;
  sessions: SessionStore;
  users: UserDirectory;
  requestLog: RequestLog;
}

export function createControl(deps: ControlDeps): (req: Request, url: URL) => Promise<Response> {
  return async (req, url) => {
    const key = `${req.method} ${url.pathname.replace(/\/+$/, "")}`;
    try {
      switch (key) {
        case "GET /__sim/faults":
          return json(faultStatus(deps));
        case "POST /__sim/faults":
          return json(await queueFault(req, deps), 201);
        case "DELETE /__sim/faults":
          deps.faults.clear();
          return json(faultStatus(deps));
        case "PUT /__sim/settings":
          return json(await applySettings(req, deps));
        case "POST /__sim/expire-tokens":
          deps.sessions.expireAll();
          return json({ expired: deps.sessions.size });
        case "GET /__sim/requests":
          return json({ requests: deps.requestLog.all() });
        case "DELETE /__sim/requests":
          deps.requestLog.clear();
          return json({ requests: [] });
        default:
          return unifiedError(404, `Unknown control endpoint ${key}`);
      }
    } catch (error) {
      if (error instanceof FaultSyntaxError) return unifiedError(400, error.message);
      throw error;
    }
  };
}

function faultStatus(deps: ControlDeps) {
  return { pending: deps.faults.pending(), latencyMs: deps.faults.latencyMs, errorRate: deps.faults.errorRate };
}

async function queueFault(req: Request, deps: ControlDeps) {
  const body = await readJsonBody(req);
  if (!isRecord(body) || (typeof body.fault !== "string" && !isRecord(body.fault))) {
    throw new FaultSyntaxError('body must be {"fault": "<directives>" | {...}, "count"?, "path"?, "method"?}');
  }
  deps.faults.queue(body.fault as string | FaultSpec, {
    count: typeof body.count === "number" ? body.count : undefined,
    path: typeof body.path === "string" ? body.path : undefined,
    method: typeof body.method === "string" ? body.method : undefined,
  });
  return faultStatus(deps);
}

async function applySettings(req: Request, deps: ControlDeps) {
  const body = await readJsonBody(req);
  if (!isRecord(body)) throw new FaultSyntaxError("body must be a JSON object");
  if (typeof body.latencyMs === "number") deps.faults.latencyMs = body.latencyMs;
  if (typeof body.errorRate === "number") deps.faults.errorRate = body.errorRate;
  if (typeof body.remoteDomainReachable === "boolean") deps.users.setRemoteDomainReachable(body.remoteDomainReachable);
  if (typeof body.tokenLifetimeSec === "number") deps.sessions.setLifetime(body.tokenLifetimeSec);
  return {
    ...faultStatus(deps),
    remoteDomainReachable: deps.users.remoteDomainReachable,
    tokenLifetimeSec: deps.sessions.lifetimeSeconds,
  };
}
