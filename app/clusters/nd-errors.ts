/**
 * The few ways a call to Nexus Dashboard can fail, as one typed error.
 *
 * Guarantees: `message` is safe to show a user or a model — it names the cluster and keeps ND's
 * own explanation (from `message` / `description` / `error`) after secrets were scrubbed
 * (nd-redact.ts), and never contains a password, token, API key or cookie.
 */
import { AppError } from "../errors.ts";

export const ND_ERROR_KINDS = [
  "unreachable",
  "tls",
  "auth",
  "forbidden",
  "not_found",
  "rate_limited",
  "timeout",
  "upstream_error",
  "bad_response",
] as const;

export type NdErrorKind = (typeof ND_ERROR_KINDS)[number];

/** How the gateway answers its own caller for each kind (ND's status stays in upstreamStatus). */
const HTTP_STATUS: Record<NdErrorKind, number> = {
  unreachable: 502,
  tls: 502,
  auth: 502,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  timeout: 504,
  upstream_error: 502,
  bad_response: 502,
};

const SUMMARY: Record<NdErrorKind, string> = {
  unreachable: "cannot reach Nexus Dashboard",
  tls: "TLS verification of Nexus Dashboard failed",
  auth: "Nexus Dashboard rejected the stored credentials",
  forbidden: "Nexus Dashboard denied the operation to the gateway's account",
  not_found: "Nexus Dashboard found no such resource",
  rate_limited: "Nexus Dashboard asked to slow down",
  timeout: "Nexus Dashboard did not answer in time",
  upstream_error: "Nexus Dashboard answered with an error",
  bad_response: "Nexus Dashboard sent an unusable response",
};

export interface NdErrorDetails {
  cluster: string;
  /** ND's HTTP status when the request got an answer. */
  upstreamStatus?: number;
  /** ND's own explanation, already scrubbed of secrets. */
  ndMessage?: string;
  /** From Retry-After (rate_limited). */
  retryAfterSeconds?: number;
  /** How many HTTP attempts were made. */
  attempts?: number;
  /** A write's outcome is unknown (it may have been applied): tell a human to re-check. */
  outcomeUnknown?: boolean;
}

export class NdError extends AppError {
  override readonly status: number;
  override readonly code: string;

  constructor(
    readonly kind: NdErrorKind,
    readonly details: NdErrorDetails,
    summary: string = SUMMARY[kind],
  ) {
    super(composeMessage(kind, details, summary));
    this.name = "NdError";
    this.status = HTTP_STATUS[kind];
    this.code = `nd_${kind}`;
  }

  get upstreamStatus(): number | undefined {
    return this.details.upstreamStatus;
  }
}

function composeMessage(kind: NdErrorKind, d: NdErrorDetails, summary: string): string {
  const status = d.upstreamStatus ? ` (HTTP ${d.upstreamStatus})` : "";
  const nd = d.ndMessage ? `: ${d.ndMessage}` : "";
  const unknown = d.outcomeUnknown
    ? " — the write may or may not have been applied; check on ND before repeating it"
    : "";
  const retry =
    kind === "rate_limited" && d.retryAfterSeconds !== undefined ? ` — retry after ${d.retryAfterSeconds} s` : "";
  return `cluster ${d.cluster}: ${summary}${status}${nd}${retry}${unknown}`;
}

/** The kind for an HTTP error status ND answered with. */
export function kindForStatus(status: number): NdErrorKind {
  if (status === 401) return "auth";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status === 408 || status === 504) return "timeout";
  return "upstream_error";
}
