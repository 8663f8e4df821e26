/**
 * OAuth protocol errors (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 8707): a registered error code and
 * a plain-language description that says what is wrong and how to fix it. Never a secret.
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "invalid_target"
  | "invalid_redirect_uri"
  | "invalid_client_metadata"
  | "access_denied"
  | "unsupported_response_type"
  | "server_error"
  | "temporarily_unavailable"
  | "slow_down";

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export function oauthErrorResponse(err: OAuthError): Response {
  return Response.json(
    { error: err.error, error_description: err.description },
    {
      status: err.status,
      headers: { "cache-control": "no-store", pragma: "no-cache", ...err.headers },
    },
  );
}
