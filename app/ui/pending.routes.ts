/**
 * Pages of the navigation not built yet: each answers with an honest "not built yet" page under
 * the access it will need, so navigation, the route list and the role matrix are complete. A
 * page's own routes file replaces its entry here.
 */
import { pendingPage } from "../../views/pending-page.ts";
import type { Permission } from "../identity/permissions.ts";
import { get, type UiRoute } from "./ui-route.ts";

const PENDING: { path: string; title: string; what: string; access: Permission | "signed-in" }[] = [
  {
    path: "/connect",
    title: "Connect an assistant",
    what: "Create a personal token and copy the ready Claude Desktop, Claude Code, VS Code or Cursor configuration.",
    access: "tokens:own",
  },
  {
    path: "/clusters",
    title: "Clusters",
    what: "Add, edit, test and remove Nexus Dashboard clusters.",
    access: "clusters:manage",
  },
  {
    path: "/users",
    title: "Users",
    what: "Users with their roles, cluster access, last sign-in and status.",
    access: "users:manage",
  },
  { path: "/roles", title: "Roles", what: "Roles and their permission sets; custom roles.", access: "roles:manage" },
  {
    path: "/tokens",
    title: "API tokens",
    what: "Your API tokens; for administrators every token.",
    access: "tokens:own",
  },
  {
    path: "/settings",
    title: "Security settings",
    what: "Edit mode, whitelist, argument constraints, approval rules and tool profiles.",
    access: "settings:manage",
  },
  {
    path: "/approvals",
    title: "Approvals",
    what: "Pending write requests to approve or deny.",
    access: "approvals:decide",
  },
  {
    path: "/approvals/:id",
    title: "Approval request",
    what: "One approval request with its exact arguments.",
    access: "approvals:decide",
  },
  {
    path: "/audit",
    title: "Audit",
    what: "The hash-chained audit log: filter, detail, verify, export.",
    access: "audit:read",
  },
  {
    path: "/catalog",
    title: "Catalog",
    what: "Imported API documents and the operation browser.",
    access: "clusters:use",
  },
  {
    path: "/system",
    title: "System",
    what: "Certificate, encryption keys, backup, version and health.",
    access: "settings:manage",
  },
  {
    path: "/account",
    title: "My account",
    what: "Change your password and end your other sessions.",
    access: "signed-in",
  },
];

export function pendingRoutes(built: ReadonlySet<string>): UiRoute[] {
  return PENDING.filter((p) => !built.has(`GET ${p.path}`)).map((p) =>
    get(p.path, p.access, () => ({
      title: p.title,
      main: pendingPage(p.title, p.what),
      status: p.path.includes(":") ? 404 : 200,
    })),
  );
}
