/**
 * The discovery documents: protected resource metadata (RFC 9728) and authorization server
 * metadata (RFC 8414). Pure functions of the names a client used.
 *
 * The issuer is the API listener's origin (where the token and registration endpoints live);
 * the authorization endpoint is on the UI listener, because consent needs the browser session.
 * Only what is implemented is advertised: code flow, S256, public clients, refresh tokens,
 * the RFC 9207 `iss` parameter.
 */
import { SCOPES } from "./oauth-authorize.ts";
import { authorizationEndpointFor, issuerFor, resourceFor, type GatewayNames } from "./oauth-resource.ts";

export function protectedResourceMetadata(names: GatewayNames, hostname: string) {
  return {
    resource: resourceFor(names, hostname),
    authorization_servers: [issuerFor(names, hostname)],
    scopes_supported: [...SCOPES],
    bearer_methods_supported: ["header"],
    resource_name: "Nexus MCP Gateway",
  };
}

export function authorizationServerMetadata(names: GatewayNames, hostname: string) {
  const issuer = issuerFor(names, hostname);
  return {
    issuer,
    authorization_endpoint: authorizationEndpointFor(names, hostname),
    token_endpoint: `${issuer}/oauth/token`,
    registration_endpoint: `${issuer}/oauth/register`,
    scopes_supported: [...SCOPES],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    token_endpoint_auth_methods_supported: ["none"],
    code_challenge_methods_supported: ["S256"],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: false,
  };
}
