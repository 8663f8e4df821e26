/**
 * One request, start to finish: log it, decide its fault, route, authenticate, authorize,
 * answer, then degrade the answer if the fault says so. Control endpoints (`/__sim/…`) bypass
 * all of it and are not logged, so the request log only shows what a client sent to "ND".
 */
import { authenticate, isAllowed, tokenFromRequest, type AuthDeps } from "./auth/authenticate.ts";
import { SimStateError } from "./data/state-errors.ts";
import { ndfcError, unifiedError } from "./http/errors.ts";
import { familyOf, type ApiFamily, type Principal, type SimRoute } from "./http/route.ts";
import type { RouteMatch, Router } from "./http/router.ts";
import type { FaultController } from "./faults/fault-controller.ts";
import { droppedConnection, htmlPage, hugeJson, sleep, slowBody, truncatedJson } from "./faults/fault-responses.ts";
import { FaultSyntaxError, mergeFaults, parseFault, type FaultSpec } from "./faults/fault-spec.ts";
import type { RequestLog } from "./request-log.ts";

export const CONTROL_PREFIX = "/__sim/";
export const FAULT_HEADER = "x-sim-fault";

export interface PipelineDeps {
  router: Router<SimRoute>;
  auth: AuthDeps;
  faults: FaultController;
  requestLog: RequestLog;
  control: (req: Request, url: URL) => Promise<Response>;
  log: (line: string) => void;
}

export function createPipeline(deps: PipelineDeps): (req: Request) => Promise<Response> {
  return async (req) => {
    const url = new URL(req.url);
    if (url.pathname.startsWith(CONTROL_PREFIX)) return deps.control(req, url);
    const entry = await deps.requestLog.record(req, url);
    const response = await answer(req, url, deps);
    if (!isDropped(response)) entry.status = response.status;
    return response;
  };
}

const dropped = new WeakSet<Response>();
const isDropped = (r: Response) => dropped.has(r);

async function answer(req: Request, url: URL, deps: PipelineDeps): Promise<Response> {
  const family = familyOf(url.pathname);
  let fault: FaultSpec;
  try {
    fault = decideFault(req, url, deps.faults);
  } catch (error) {
    if (error instanceof FaultSyntaxError) return unifiedError(400, `Invalid X-Sim-Fault header: ${error.message}`);
    throw error;
  }
  if (fault.latencyMs) await sleep(fault.latencyMs);
  if (fault.drop) {
    const r = droppedConnection();
    dropped.add(r);
    return r;
  }
  if (fault.expireToken) expireCallersToken(req, deps.auth);
  let response: Response;
  if (fault.retryAfterSec !== undefined) {
    response = unifiedError(429, undefined, { "Retry-After": String(fault.retryAfterSec) });
  } else if (fault.html) {
    response = htmlPage(fault.status ?? 200);
  } else if (fault.status !== undefined) {
    response = errorFor(family, fault.status, url.pathname, "Injected fault");
  } else if (fault.hugeBytes !== undefined) {
    response = hugeJson(fault.hugeBytes);
  } else {
    response = await route(req, url, family, deps);
  }
  if (fault.invalidJson) response = await truncatedJson(response);
  if (fault.slowBodyMs !== undefined) response = await slowBody(response, fault.slowBodyMs);
  return response;
}

/** Header beats queue beats run-level settings, directive by directive. */
function decideFault(req: Request, url: URL, faults: FaultController): FaultSpec {
  const header = req.headers.get(FAULT_HEADER);
  const fromHeader = header ? parseFault(header) : undefined;
  return mergeFaults(faults.runLevel(), faults.take(req.method, url.pathname), fromHeader);
}

function expireCallersToken(req: Request, auth: AuthDeps): void {
  const token = tokenFromRequest(req);
  if (token) auth.sessions.expire(token);
}

/** Public routes answer anyone; everything else, known or not, needs credentials first. */
async function route(req: Request, url: URL, family: ApiFamily, deps: PipelineDeps): Promise<Response> {
  const found = deps.router.match(req.method, url.pathname);
  if (found.kind === "found" && found.match.route.public) return invoke(found.match, req, url, undefined, deps);
  const principal = authenticate(req, deps.auth);
  if (principal instanceof Response) return principal;
  if (found.kind === "not-found") return errorFor(family, 404, url.pathname, `No API at ${url.pathname}`);
  if (found.kind === "method-not-allowed") {
    const response = errorFor(family, 405, url.pathname, `${req.method} is not supported on ${url.pathname}`);
    response.headers.set("Allow", found.allowed.join(", "));
    return response;
  }
  if (!isAllowed(principal, found.match.route.scopes)) return errorFor(family, 403, url.pathname, undefined);
  return invoke(found.match, req, url, principal, deps);
}

async function invoke(
  match: RouteMatch<SimRoute>,
  req: Request,
  url: URL,
  principal: Principal | undefined,
  deps: PipelineDeps,
): Promise<Response> {
  const target = match.route;
  try {
    return await target.handle({ req, url, params: match.params, query: url.searchParams, principal });
  } catch (error) {
    if (error instanceof SimStateError) return errorFor(target.family, error.status, url.pathname, error.message);
    deps.log(`ndsim: ${req.method} ${url.pathname} failed: ${(error as Error).stack ?? error}`);
    return errorFor(target.family, 500, url.pathname, "Internal simulator error");
  }
}

function errorFor(family: ApiFamily, status: number, path: string, detail: string | undefined): Response {
  if (family === "ndfc") return ndfcError(status, path, detail ?? "");
  return unifiedError(status, detail);
}
