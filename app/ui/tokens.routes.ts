/** Page 5: API tokens — mine (create, narrow, revoke) and, with tokens:manage, everybody's. */
import { AppError } from "../errors.ts";
import {
  createApiToken,
  listApiTokens,
  narrowApiToken,
  revokeApiToken,
  tokenStatus,
  type ApiTokenRow,
} from "../identity/api-tokens.ts";
import { authorize } from "../identity/authorize.ts";
import { listClusters } from "../clusters/clusters.ts";
import { tokensPage, type CreatedToken, type TokenRowView, type TokensPageProps } from "../../views/tokens.ts";
import type { NoticeKind } from "../../views/layout.ts";
import { clusterChoices, tokenFormValues, tokenInput } from "./token-input.ts";
import { field, fields, get, post, type SignedInRequest, type UiRoute, type UiView, sentence } from "./ui-route.ts";

interface State {
  created?: CreatedToken | null;
  form?: TokensPageProps["form"];
  message?: { kind: NoticeKind; text: string } | null;
  status?: number;
}

async function page(req: SignedInRequest, state: State = {}): Promise<UiView> {
  const caller = req.session.caller;
  const p = caller.principal;
  const admin = authorize(p, "tokens:manage").allowed;
  const [mine, all, clusters, every] = await Promise.all([
    listApiTokens(req.deps.sql, caller, p.username),
    admin ? listApiTokens(req.deps.sql, caller) : Promise.resolve(null),
    clusterChoices(req.deps.sql, p),
    listClusters(req.deps.sql),
  ]);
  const names = new Map(every.map((c) => [c.id, c.name]));
  const view = (t: ApiTokenRow): TokenRowView => ({
    ...t,
    status: tokenStatus(t, caller.now),
    clusterNames: t.clusters ? t.clusters.map((id) => names.get(id) ?? `removed cluster ${id.slice(0, 8)}`) : null,
  });
  return {
    title: "API tokens",
    status: state.status,
    // A POST answered with the page: the address bar shows the page, not the action.
    headers: req.request.method === "POST" ? { "hx-push-url": "/tokens" } : undefined,
    main: tokensPage({
      csrf: req.session.csrf,
      now: caller.now,
      mine: mine.map(view),
      all: all ? all.filter((t) => t.userId !== p.userId).map(view) : null,
      clusters,
      created: state.created,
      form: state.form,
      message: state.message,
      showInactive: req.url.searchParams.has("all"),
    }),
  };
}

/** A domain refusal becomes a message on the page, with the status it carries. */
async function orMessage(req: SignedInRequest, action: () => Promise<State>): Promise<UiView> {
  try {
    return await page(req, await action());
  } catch (err) {
    if (err instanceof AppError && err.status < 500)
      return page(req, { message: { kind: "bad", text: sentence(err.message) }, status: err.status });
    throw err;
  }
}

export function tokensRoutes(): UiRoute[] {
  return [
    get("/tokens", "tokens:own", (req) => page(req)),

    post("/tokens", "tokens:own", async (req) => {
      const caller = req.session.caller;
      const values = tokenFormValues(req.form);
      try {
        const t = await createApiToken(req.deps.sql, caller, tokenInput(values, caller.principal.username, caller.now));
        return page(req, { created: { token: t.token, name: t.name, expiresAt: t.expiresAt, readOnly: t.readOnly } });
      } catch (err) {
        if (err instanceof AppError && err.status < 500)
          return page(req, { form: { values, error: sentence(err.message) }, status: err.status });
        throw err;
      }
    }),

    post("/tokens/:id/revoke", "tokens:own", (req) =>
      orMessage(req, async () => {
        await revokeApiToken(
          req.deps.sql,
          req.session.caller,
          req.params.id ?? "",
          `revoked in the UI by ${req.session.caller.principal.username}`,
        );
        return { message: { kind: "ok", text: "The token was revoked; assistants using it are refused from now on." } };
      }),
    ),

    post("/tokens/:id/narrow", "tokens:own", (req) =>
      orMessage(req, async () => {
        const clusters = fields(req.form, "clusters");
        const t = await narrowApiToken(req.deps.sql, req.session.caller, req.params.id ?? "", {
          readOnly: field(req.form, "readOnly") === "1" ? true : undefined,
          clusters: clusters.length ? clusters : undefined,
        });
        return {
          message: {
            kind: "ok",
            text: `Token “${t.name}” is now ${t.readOnly ? "read-only" : "read-write"}${t.clusters ? ` and limited to ${t.clusters.length} cluster${t.clusters.length === 1 ? "" : "s"}` : ""}.`,
          },
        };
      }),
    ),
  ];
}
