/** The shape every simulator route has, core or generated from a Cisco document. */

export interface Principal {
  userName: string;
  roles: string[];
  via: "token" | "api-key";
  /** The session token when `via` is "token". */
  token?: string;
}

export interface RequestContext {
  req: Request;
  url: URL;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Set for every route that is not public. */
  principal?: Principal;
}

/** Decides the error shape: unified `{code,message,…}` or NDFC Spring-style. */
export type ApiFamily = "unified" | "ndfc" | "platform" | "orchestrator";

export interface SimRoute {
  method: string;
  path: string;
  family: ApiFamily;
  /** Reachable without credentials (login, version.json). */
  public?: boolean;
  /** Roles allowed to call it; absent means any authenticated user. */
  scopes?: readonly string[];
  handle(ctx: RequestContext): Response | Promise<Response>;
}

export const READ_SCOPES = [
  "fabric-admin",
  "super-admin",
  "observer",
  "support-engineer",
  "designer",
  "approver",
] as const;
export const WRITE_SCOPES = ["fabric-admin", "super-admin"] as const;

export function familyOf(path: string): ApiFamily {
  if (path.startsWith("/api/v1/")) return "unified";
  if (path.startsWith("/appcenter/")) return "ndfc";
  if (path.startsWith("/mso/")) return "orchestrator";
  return "platform";
}

/** Parses a JSON request body; undefined when it is not JSON (the caller answers 400). */
export async function readJsonBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
