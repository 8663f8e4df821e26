/**
 * Error bodies in the shapes ND really uses (reference §5):
 * unified `/api/v1/*` and platform errors `{code, message, description, errors}`, and
 * legacy NDFC Spring-style `{timestamp, status, error, message, path}`.
 */
import { json } from "./respond.ts";

const REASONS: Record<number, { message: string; description: string }> = {
  400: {
    message: "Bad Request",
    description: "The request could not be understood by the server due to malformed syntax.",
  },
  401: { message: "Unauthorized", description: "Indicates that the request requires user authentication information." },
  403: { message: "Forbidden", description: "The client does not have access rights to the content." },
  404: { message: "Not Found", description: "The server can not find the requested resource." },
  405: { message: "Method Not Allowed", description: "The request method is not supported by the target resource." },
  409: { message: "Conflict", description: "The request conflicts with the current state of the target resource." },
  412: { message: "Precondition Failed", description: "A precondition of the request was not met." },
  429: { message: "Too Many Requests", description: "The user has sent too many requests in a given amount of time." },
  500: { message: "Internal Server Error", description: "The server encountered an unexpected condition." },
  502: { message: "Bad Gateway", description: "The server received an invalid response from an upstream server." },
  503: { message: "Service Unavailable", description: "The server is not ready to handle the request." },
  504: { message: "Gateway Timeout", description: "The upstream server did not answer in time." },
};

export function reasonPhrase(status: number): string {
  return REASONS[status]?.message ?? (status >= 500 ? "Server Error" : "Error");
}

export interface SubError {
  code: number;
  message: string;
  description: string;
}

export function unifiedErrorBody(status: number, detail?: string, errors?: SubError[]) {
  const reason = REASONS[status] ?? { message: reasonPhrase(status), description: "" };
  const body: { code: number; message: string; description: string; errors?: SubError[] } = {
    code: status,
    message: reason.message,
    description: detail ?? reason.description,
  };
  if (errors && errors.length > 0) body.errors = errors;
  return body;
}

export function unifiedError(
  status: number,
  detail?: string,
  headers: Record<string, string> = {},
  errors?: SubError[],
) {
  return json(unifiedErrorBody(status, detail, errors), status, headers);
}

export function ndfcError(status: number, path: string, message: string): Response {
  return json(
    {
      timestamp: Date.now(),
      status,
      error: reasonPhrase(status),
      message,
      path: path.replace(/^\/appcenter\/cisco\/ndfc\/api\/v1/, ""),
    },
    status,
  );
}
