/** Page 4 (first half): users — list, create, one user's roles, clusters, status, password reset. */
import { AppError, NotFound } from "../errors.ts";
import { listClusters } from "../clusters/clusters.ts";
import { resetPassword } from "../identity/password-change.ts";
import { listRoles } from "../identity/roles.ts";
import { createUser, listUsers, setUserActive, setUserClusters, setUserRoles } from "../identity/users.ts";
import { roleChoices, userPage, usersPage, type Message, type NewUserValues } from "../../views/users.ts";
import { field, fields, get, post, type SignedInRequest, type UiRoute, type UiView, sentence } from "./ui-route.ts";

async function common(req: SignedInRequest) {
  const caller = req.session.caller;
  const [users, roles, clusters] = await Promise.all([
    listUsers(req.deps.sql, caller),
    listRoles(req.deps.sql),
    listClusters(req.deps.sql),
  ]);
  return {
    users,
    roles: roleChoices(roles, caller.principal.permissions),
    clusters: clusters.map((c) => ({ id: c.id, name: c.name })),
    clusterNames: new Map(clusters.map((c) => [c.id, c.name])),
  };
}

async function listPage(
  req: SignedInRequest,
  state: {
    message?: Message;
    created?: { username: string; password: string };
    form?: { values?: NewUserValues; error?: string };
    status?: number;
  } = {},
): Promise<UiView> {
  const c = await common(req);
  return {
    title: "Users",
    status: state.status,
    headers: req.request.method === "POST" ? { "hx-push-url": "/users" } : undefined,
    main: usersPage({
      csrf: req.session.csrf,
      now: req.session.caller.now,
      ...c,
      message: state.message,
      created: state.created ?? null,
      form: state.form,
    }),
  };
}

async function detailPage(
  req: SignedInRequest,
  state: { message?: Message; resetPassword?: string; status?: number } = {},
): Promise<UiView> {
  const c = await common(req);
  const name = req.params.id ?? "";
  const user = c.users.find((u) => u.username.toLowerCase() === name.toLowerCase());
  if (!user) throw new NotFound(`no user named ${name}`);
  const path = `/users/${encodeURIComponent(user.username)}`;
  return {
    title: `User ${user.username}`,
    status: state.status,
    headers: req.request.method === "POST" ? { "hx-push-url": path } : undefined,
    main: userPage({
      csrf: req.session.csrf,
      now: req.session.caller.now,
      user,
      self: user.id === req.session.caller.principal.userId,
      roles: c.roles,
      clusters: c.clusters,
      clusterNames: c.clusterNames,
      message: state.message,
      resetPassword: state.resetPassword,
    }),
  };
}

/** Runs one domain change for a user's page; a refusal becomes the page's message. */
async function onUser(
  req: SignedInRequest,
  change: (username: string) => Promise<{ message?: Message; resetPassword?: string }>,
): Promise<UiView> {
  try {
    return await detailPage(req, await change(req.params.id ?? ""));
  } catch (err) {
    if (err instanceof AppError && err.status < 500 && !(err instanceof NotFound))
      return detailPage(req, { message: { kind: "bad", text: sentence(err.message) }, status: err.status });
    throw err;
  }
}

export function usersRoutes(): UiRoute[] {
  return [
    get("/users", "users:manage", (req) => listPage(req)),

    post("/users", "users:manage", async (req) => {
      const values: NewUserValues = {
        username: field(req.form, "username"),
        displayName: field(req.form, "displayName"),
        email: field(req.form, "email"),
        roles: fields(req.form, "roles"),
        allClusters: field(req.form, "allClusters") === "1",
        clusters: fields(req.form, "clusters"),
      };
      try {
        const r = await createUser(
          req.deps.sql,
          req.session.caller,
          {
            username: values.username!,
            displayName: values.displayName || null,
            email: values.email || null,
            roles: values.roles,
            clusters: values.allClusters ? "all" : values.clusters,
          },
          { passwords: req.deps.services.passwords },
        );
        return listPage(req, {
          message: { kind: "ok", text: `User ${r.user.username} was created.` },
          created: { username: r.user.username, password: r.generatedPassword! },
        });
      } catch (err) {
        if (err instanceof AppError && err.status < 500)
          return listPage(req, { form: { values, error: sentence(err.message) }, status: err.status });
        throw err;
      }
    }),

    get("/users/:id", "users:manage", (req) => detailPage(req)),

    post("/users/:id/roles", "users:manage", (req) =>
      onUser(req, async (name) => {
        const r = await setUserRoles(req.deps.sql, req.session.caller, name, fields(req.form, "roles"));
        const changes = [...r.granted.map((n) => `granted ${n}`), ...r.revoked.map((n) => `revoked ${n}`)];
        return {
          message: {
            kind: "ok",
            text: changes.length
              ? `Roles saved: ${changes.join(", ")}. ${name}'s sessions were ended.`
              : "Nothing changed.",
          },
        };
      }),
    ),

    post("/users/:id/clusters", "users:manage", (req) =>
      onUser(req, async (name) => {
        await setUserClusters(
          req.deps.sql,
          req.session.caller,
          name,
          field(req.form, "allClusters") === "1" ? "all" : fields(req.form, "clusters"),
        );
        return { message: { kind: "ok", text: "Cluster access saved." } };
      }),
    ),

    post("/users/:id/active", "users:manage", (req) =>
      onUser(req, async (name) => {
        const active = field(req.form, "active") === "1";
        const r = await setUserActive(req.deps.sql, req.session.caller, name, active);
        return {
          message: {
            kind: "ok",
            text: active
              ? `${name} is enabled.`
              : `${name} is disabled: ${r.sessionsEnded} session(s) ended, ${r.tokensRevoked} token(s) revoked.`,
          },
        };
      }),
    ),

    post("/users/:id/reset-password", "users:manage", (req) =>
      onUser(req, async (name) => {
        const r = await resetPassword(
          req.deps.sql,
          req.session.caller,
          { username: name },
          { passwords: req.deps.services.passwords },
        );
        return {
          message: { kind: "ok", text: `Password reset; ${r.sessionsEnded} session(s) ended.` },
          resetPassword: r.generatedPassword!,
        };
      }),
    ),
  ];
}
