/** The pages of the navigation, in order, with the access each needs (the same as its GET route). */
import type { NavLink } from "../../views/layout.ts";
import { authorize } from "../identity/authorize.ts";
import type { Principal } from "../identity/principal.ts";
import type { RouteAccess } from "./ui-route.ts";

export interface PageEntry extends NavLink {
  access: RouteAccess;
}

export const PAGES: PageEntry[] = [
  { href: "/", label: "Dashboard", group: "Overview", access: "signed-in" },
  { href: "/connect", label: "Connect an assistant", group: "Overview", access: "tokens:own" },
  { href: "/approvals", label: "Approvals", group: "Overview", access: "approvals:decide" },
  { href: "/clusters", label: "Clusters", group: "Manage", access: "clusters:manage" },
  { href: "/users", label: "Users", group: "Manage", access: "users:manage" },
  { href: "/roles", label: "Roles", group: "Manage", access: "roles:manage" },
  { href: "/tokens", label: "API tokens", group: "Manage", access: "tokens:own" },
  { href: "/settings", label: "Security settings", group: "Manage", access: "settings:manage" },
  { href: "/audit", label: "Audit", group: "Review", access: "audit:read" },
  { href: "/catalog", label: "Catalog", group: "Review", access: "clusters:use" },
  { href: "/system", label: "System", group: "Review", access: "settings:manage" },
  { href: "/account", label: "My account", group: "Review", access: "signed-in" },
  { href: "/apps", label: "Connected apps", group: "Review", access: "tokens:own" },
];

/** May this principal use a route of this access level? (Sessions only; public is always true.) */
export function allows(principal: Principal | null, access: RouteAccess): boolean {
  if (access === "public") return true;
  if (!principal || !principal.active) return false;
  if (access === "password-change") return true;
  if (principal.mustChangePassword) return false;
  if (access === "signed-in") return true;
  return authorize(principal, access).allowed;
}

export function linksFor(principal: Principal): NavLink[] {
  return PAGES.filter((p) => allows(principal, p.access)).map(({ href, label, group }) => ({ href, label, group }));
}
