/**
 * Page 2: connect an assistant. POST creates the token through the domain (audited) and
 * answers the page with the token shown once inside ready configurations; a reload shows the
 * placeholders again (the token is never stored, and htmx keeps no history snapshots).
 */
import { AppError } from "../errors.ts";
import { createApiToken } from "../identity/api-tokens.ts";
import { connectPage } from "../../views/connect.ts";
import type { CreatedToken } from "../../views/tokens.ts";
import { clusterChoices, tokenFormValues, tokenInput, type TokenFormValues } from "./token-input.ts";
import { get, post, type SignedInRequest, type UiRoute, type UiView, sentence } from "./ui-route.ts";

/** The MCP listener as this browser reaches the gateway: same host name, the API port. */
function apiBase(req: SignedInRequest): string {
  const host = req.url.hostname.includes(":") ? `[${req.url.hostname}]` : req.url.hostname;
  return `https://${host}:${req.deps.apiPort()}`;
}

async function page(
  req: SignedInRequest,
  state: { created?: CreatedToken; values?: TokenFormValues; error?: string; status?: number } = {},
): Promise<UiView> {
  const cert = req.deps.certificate();
  const clusters = await clusterChoices(req.deps.sql, req.session.caller.principal);
  return {
    title: "Connect an assistant",
    status: state.status,
    headers: req.request.method === "POST" ? { "hx-push-url": "/connect" } : undefined,
    main: connectPage({
      csrf: req.session.csrf,
      apiBase: apiBase(req),
      fingerprint256: cert.fingerprint256,
      certificateNotAfter: cert.notAfter,
      created: state.created ?? null,
      form: { clusters, values: state.values, error: state.error ?? null },
    }),
  };
}

export function connectRoutes(): UiRoute[] {
  return [
    get("/connect", "tokens:own", (req) => page(req)),

    post("/connect", "tokens:own", async (req) => {
      const caller = req.session.caller;
      const values = tokenFormValues(req.form);
      try {
        const t = await createApiToken(req.deps.sql, caller, tokenInput(values, caller.principal.username, caller.now));
        return page(req, { created: { token: t.token, name: t.name, expiresAt: t.expiresAt, readOnly: t.readOnly } });
      } catch (err) {
        if (err instanceof AppError && err.status < 500)
          return page(req, {
            values,
            error: sentence(err.message),
            status: err.status,
          });
        throw err;
      }
    }),

    // The certificate is public (every TLS client sees it); signed-in only to keep the UI closed.
    get(
      "/connect/gateway.pem",
      "signed-in",
      (req) =>
        new Response(req.deps.certificate().pem, {
          headers: {
            "content-type": "application/x-pem-file",
            "content-disposition": 'attachment; filename="nexus-gateway.pem"',
            "cache-control": "no-store",
          },
        }),
    ),
  ];
}
