/** Page 4 (second half): roles — the permission matrix, custom roles (create, change, delete). */
import { AppError, NotFound } from "../errors.ts";
import { createRole, deleteRole, getRole, listRoles, updateRole } from "../identity/roles.ts";
import { rolePage, rolesPage } from "../../views/roles.ts";
import type { Message } from "../../views/users.ts";
import { redirect } from "./ui-app.ts";
import { field, fields, get, post, type SignedInRequest, type UiRoute, type UiView, sentence } from "./ui-route.ts";

async function listPage(
  req: SignedInRequest,
  state: {
    message?: Message;
    form?: { values?: { name?: string; description?: string; permissions?: string[] }; error?: string };
    status?: number;
  } = {},
): Promise<UiView> {
  return {
    title: "Roles",
    status: state.status,
    headers: req.request.method === "POST" ? { "hx-push-url": "/roles" } : undefined,
    main: rolesPage({
      csrf: req.session.csrf,
      roles: await listRoles(req.deps.sql),
      held: req.session.caller.principal.permissions,
      message: state.message,
      form: state.form,
    }),
  };
}

async function detailPage(req: SignedInRequest, state: { message?: Message; status?: number } = {}): Promise<UiView> {
  const role = await getRole(req.deps.sql, req.params.id ?? "");
  return {
    title: `Role ${role.name}`,
    status: state.status,
    headers: req.request.method === "POST" ? { "hx-push-url": `/roles/${encodeURIComponent(role.name)}` } : undefined,
    main: rolePage({
      csrf: req.session.csrf,
      role,
      held: req.session.caller.principal.permissions,
      message: state.message,
    }),
  };
}

export function rolesRoutes(): UiRoute[] {
  return [
    get("/roles", "roles:manage", (req) => listPage(req)),

    post("/roles", "roles:manage", async (req) => {
      const values = {
        name: field(req.form, "name"),
        description: field(req.form, "description"),
        permissions: fields(req.form, "permissions"),
      };
      try {
        const role = await createRole(req.deps.sql, req.session.caller, values);
        return listPage(req, {
          message: {
            kind: "ok",
            text: `Role ${role.name} was created with ${role.permissions.length} permission(s). Grant it on a user's page.`,
          },
        });
      } catch (err) {
        if (err instanceof AppError && err.status < 500)
          return listPage(req, { form: { values, error: sentence(err.message) }, status: err.status });
        throw err;
      }
    }),

    get("/roles/:id", "roles:manage", (req) => detailPage(req)),

    post("/roles/:id", "roles:manage", async (req) => {
      try {
        await updateRole(req.deps.sql, req.session.caller, req.params.id ?? "", {
          description: field(req.form, "description"),
          permissions: fields(req.form, "permissions"),
        });
        return detailPage(req, { message: { kind: "ok", text: "Role saved." } });
      } catch (err) {
        if (err instanceof AppError && err.status < 500 && !(err instanceof NotFound))
          return detailPage(req, { message: { kind: "bad", text: sentence(err.message) }, status: err.status });
        throw err;
      }
    }),

    post("/roles/:id/delete", "roles:manage", async (req) => {
      try {
        await deleteRole(req.deps.sql, req.session.caller, req.params.id ?? "");
        return redirect(req, "/roles");
      } catch (err) {
        if (err instanceof AppError && err.status < 500 && !(err instanceof NotFound))
          return detailPage(req, { message: { kind: "bad", text: sentence(err.message) }, status: err.status });
        throw err;
      }
    }),
  ];
}
