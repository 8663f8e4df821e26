/** Parsing the token form (shared by Connect and API tokens) into createApiToken's input. */
import { listClusters } from "../clusters/clusters.ts";
import type { Db } from "../secrets/db-handle.ts";
import type { Principal } from "../identity/principal.ts";
import { EXPIRY_CHOICES, type ClusterChoice } from "../../views/tokens.ts";
import { field, fields } from "./ui-route.ts";
import { Invalid } from "../errors.ts";

export interface TokenFormValues {
  name: string;
  expiry: string;
  readOnly: boolean;
  clusters: string[];
}

export function tokenFormValues(form: FormData): TokenFormValues {
  return {
    name: field(form, "name"),
    expiry: field(form, "expiry") || "90",
    readOnly: field(form, "readOnly") === "1",
    clusters: fields(form, "clusters"),
  };
}

export function tokenInput(v: TokenFormValues, username: string, now: Date) {
  const choice = EXPIRY_CHOICES.find((c) => c.value === v.expiry);
  if (!choice) throw new Invalid(`pick an expiry from the list (${EXPIRY_CHOICES.map((c) => c.label).join(", ")})`);
  return {
    username,
    name: v.name,
    expiresAt: choice.days === null ? null : new Date(now.getTime() + choice.days * 86_400_000),
    readOnly: v.readOnly,
    clusters: v.clusters.length ? v.clusters : null,
  };
}

/** The clusters this principal may use, for the form's check boxes. */
export async function clusterChoices(db: Db, p: Principal): Promise<ClusterChoice[]> {
  const all = await listClusters(db);
  return all
    .filter((c) => p.clusterAccess === "all" || p.clusterAccess.includes(c.id))
    .map((c) => ({ id: c.id, name: c.name }));
}
