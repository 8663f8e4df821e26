/**
 * Names of the gateway as an OAuth protected resource and authorization server, derived from the
 * Host a client used (the allow-list has already accepted it) and the listeners' ports.
 *
 * Guarantees: the resource (RFC 8707 audience) of every token is the canonical
 * `https://<host>:<api port>/mcp`, whichever MCP path the client named; a `resource` parameter
 * is accepted only if it names this gateway's MCP endpoints on an allowed host and the API port
 * (anything else is `invalid_target`); an access token is used only with the audience it was
 * issued for — the same name on the same port — so a token minted for another resource is
 * refused by admission.
 */
export interface GatewayNames {
  allowedHosts: ReadonlySet<string>;
  apiPort(): number;
  uiPort(): number;
}

const MCP_PATHS = new Set(["", "/", "/mcp", "/mcp/", "/mcp/sse", "/mcp/messages"]);

/** `host` as it goes into a URL: IPv6 in brackets. */
function urlHost(hostname: string): string {
  return hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
}

export function originOf(hostname: string, port: number): string {
  return new URL(`https://${urlHost(hostname)}:${port}`).origin;
}

/** The host name (no port, no brackets, lower case) of a Host header value. */
export function hostnameOf(hostHeader: string): string {
  try {
    return new URL(`https://${hostHeader}`).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  } catch {
    return "";
  }
}

export const issuerFor = (names: GatewayNames, hostname: string) => originOf(hostname, names.apiPort());
export const resourceFor = (names: GatewayNames, hostname: string) => `${originOf(hostname, names.apiPort())}/mcp`;
export const authorizationEndpointFor = (names: GatewayNames, hostname: string) =>
  `${originOf(hostname, names.uiPort())}/oauth/authorize`;

/** Where the protected resource metadata for an MCP path lives (RFC 9728 §3.1, path-suffixed). */
export function resourceMetadataUrl(hostHeader: string, path: string): string {
  const suffix = path === "/mcp/sse" || path === "/mcp/messages" ? "/mcp/sse" : "/mcp";
  let origin: string;
  try {
    origin = new URL(`https://${hostHeader}`).origin;
  } catch {
    origin = "https://localhost";
  }
  return `${origin}/.well-known/oauth-protected-resource${suffix}`;
}

/** The canonical resource a `resource` parameter names, or null if it is not this gateway. */
export function acceptResource(names: GatewayNames, value: string): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return null;
  }
  const hostname = u.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = Number(u.port || 443);
  if (u.protocol !== "https:" || u.username || u.password || u.search || u.hash || value.includes("#")) return null;
  if (!names.allowedHosts.has(hostname) || port !== names.apiPort() || !MCP_PATHS.has(u.pathname)) return null;
  return resourceFor(names, hostname);
}

/** Is a token whose audience is `audience` meant for a request that reached us with this Host? */
export function audienceMatches(audience: string, hostHeader: string): boolean {
  try {
    return audience === `${new URL(`https://${hostHeader}`).origin}/mcp`;
  } catch {
    return false;
  }
}
