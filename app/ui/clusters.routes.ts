/**
 * Page 3: clusters. Thin routes over the cluster registry (`addCluster`, `updateCluster`,
 * `removeCluster`, `runConnectionTest`), which validate, seal credentials, apply the URL policy
 * and audit with the session's user, address and browser. A stored secret never leaves the
 * server: forms only say whether one is set. Insecure TLS needs an explicit confirmation.
 */
import type { Cluster, ClusterChanges, CredentialsInput } from "../clusters/cluster.ts";
import {
  addCluster,
  getCluster,
  listClusters,
  removeCluster,
  updateCluster,
  type ClusterDeps,
} from "../clusters/clusters.ts";
import { runConnectionTest } from "../clusters/connection-test.ts";
import { AppError, Invalid } from "../errors.ts";
import { clusterForm, clustersPage, removePage, testResult, type ClusterView } from "../../views/clusters.ts";
import { html } from "../../views/html.ts";
import { redirect } from "./ui-app.ts";
import { field, get, post, rawField, type SignedInRequest, type UiResult, type UiRoute } from "./ui-route.ts";

const SAVED: Record<string, string> = {
  added: "Cluster added. Test its connection to see that it works.",
  saved: "Changes saved.",
  removed: "Cluster removed.",
};
const MAX_CA_BYTES = 256 * 1024;

export function clusterView(c: Cluster): ClusterView {
  return {
    id: c.id,
    name: c.name,
    baseUrl: c.baseUrl,
    authMode: c.authMode,
    username: c.username,
    loginDomain: c.loginDomain,
    hasCredentials: c.hasCredentials,
    credentialVersion: c.credentialVersion,
    tlsVerify: c.tlsVerify,
    hasCa: c.caPem !== null,
    ndVersion: c.ndVersion,
    lastTestAt: c.lastTestAt,
    lastTestOk: c.lastTestOk,
    lastTestError: c.lastTestError,
    updatedAt: c.updatedAt,
    updatedBy: c.updatedBy,
  };
}

function deps(req: SignedInRequest): ClusterDeps {
  const s = req.deps.services;
  return { keyring: s.keyring, urlPolicy: s.urlPolicy, onChange: (id) => s.ndClients.invalidate(id) };
}

async function caFrom(form: FormData): Promise<string | null> {
  const file = form.get("ca");
  if (!file || typeof file === "string" || file.size === 0) return null;
  if (file.size > MAX_CA_BYTES)
    throw new Invalid(`the CA file is ${Math.round(file.size / 1024)} KiB; a CA bundle is at most 256 KiB of PEM`);
  return file.text();
}

function credentialsFrom(form: FormData): CredentialsInput | null {
  const secret = rawField(form, "secret");
  if (!secret) return null;
  const username = field(form, "user");
  return field(form, "mode") === "api_key"
    ? { mode: "api_key", username, apiKey: secret }
    : { mode: "password", username, password: secret, domain: field(form, "domain") || undefined };
}

function insecureChoice(form: FormData, ca: string | null): boolean {
  const insecure = field(form, "insecure") === "1";
  if (insecure && field(form, "insecureConfirm") !== "1")
    throw new Invalid(
      "insecure mode needs the “I understand the risk” box ticked; better, upload the cluster's CA certificate",
    );
  if (insecure && ca) throw new Invalid("choose either a CA certificate or insecure mode, not both");
  return insecure;
}

/** What the user typed, to show the form again after an error (never the secret). */
function typed(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["name", "url", "mode", "user", "domain", "insecure"]) out[k] = field(form, k);
  return out;
}

function formError(req: SignedInRequest, cluster: Cluster | null, err: AppError): UiResult {
  return {
    title: cluster ? `Edit ${cluster.name}` : "Add a cluster",
    status: err.status,
    main: clusterForm({
      csrf: req.session.csrf,
      cluster: cluster ? clusterView(cluster) : null,
      values: typed(req.form),
      message: { kind: "bad", text: err.message },
      now: new Date(),
    }),
  };
}

export function clustersRoutes(): UiRoute[] {
  return [
    get("/clusters", "clusters:manage", async (req) => {
      const saved = req.url.searchParams.get("saved");
      const clusters = (await listClusters(req.deps.sql)).map(clusterView);
      return {
        title: "Clusters",
        main: clustersPage({
          clusters,
          csrf: req.session.csrf,
          now: new Date(),
          message: saved && SAVED[saved] ? { kind: "ok", text: SAVED[saved]! } : null,
        }),
      };
    }),

    get("/clusters/new", "clusters:manage", (req) => ({
      title: "Add a cluster",
      main: clusterForm({ csrf: req.session.csrf, cluster: null, values: {}, now: new Date() }),
    })),

    post("/clusters/new", "clusters:manage", async (req) => {
      try {
        const ca = await caFrom(req.form);
        const insecure = insecureChoice(req.form, ca);
        const credentials = credentialsFrom(req.form);
        if (!credentials) throw new Invalid("enter the password or API key the gateway logs in with");
        await addCluster(
          req.deps.sql,
          req.session.caller,
          {
            name: field(req.form, "name"),
            url: field(req.form, "url"),
            credentials,
            tls: { verify: !insecure, caPem: ca },
          },
          deps(req),
        );
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return formError(req, null, err);
      }
      return redirect(req, "/clusters?saved=added");
    }),

    get("/clusters/:id", "clusters:manage", async (req) => {
      const c = await getCluster(req.deps.sql, req.params.id!);
      const message = req.url.searchParams.has("cleared")
        ? {
            kind: "warn" as const,
            text: "The URL or TLS setting changed, so the stored credentials were dropped (they must not go to a new endpoint). Enter them again.",
          }
        : null;
      return {
        title: `Edit ${c.name}`,
        main: clusterForm({ csrf: req.session.csrf, cluster: clusterView(c), values: {}, now: new Date(), message }),
      };
    }),

    post("/clusters/:id", "clusters:manage", async (req) => {
      const current = await getCluster(req.deps.sql, req.params.id!);
      try {
        const ca = await caFrom(req.form);
        const insecure = insecureChoice(req.form, ca);
        const changes: ClusterChanges = { name: field(req.form, "name"), url: field(req.form, "url") };
        const credentials = credentialsFrom(req.form);
        if (credentials) changes.credentials = credentials;
        else if (
          current.authMode === "password" &&
          field(req.form, "domain") &&
          field(req.form, "domain") !== current.loginDomain
        )
          changes.loginDomain = field(req.form, "domain");
        changes.tls = {
          verify: !insecure,
          ...(ca ? { caPem: ca } : field(req.form, "clearCa") === "1" ? { caPem: null } : {}),
        };
        const { credentialsCleared } = await updateCluster(
          req.deps.sql,
          req.session.caller,
          current.id,
          changes,
          deps(req),
        );
        if (credentialsCleared) return redirect(req, `/clusters/${current.id}?cleared=1`);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return formError(req, current, err);
      }
      return redirect(req, "/clusters?saved=saved");
    }),

    post("/clusters/:id/test", "clusters:manage", async (req) => {
      const c = await getCluster(req.deps.sql, req.params.id!);
      const result = await runConnectionTest(req.deps.sql, req.session.caller, c.id, {
        pool: req.deps.services.ndClients,
      });
      const fragment = testResult(result, c.name);
      return {
        title: `Test ${c.name}`,
        main: html`<p><a href="/clusters">← Clusters</a></p><h1>Connection test</h1><section class="panel">${fragment}</section>`,
        fragment,
      };
    }),

    get("/clusters/:id/remove", "clusters:manage", async (req) => {
      const c = await getCluster(req.deps.sql, req.params.id!);
      return { title: `Remove ${c.name}`, main: removePage(clusterView(c), req.session.csrf) };
    }),

    post("/clusters/:id/remove", "clusters:manage", async (req) => {
      const c = await getCluster(req.deps.sql, req.params.id!);
      if (field(req.form, "confirm") !== c.name)
        throw new Invalid(`type the cluster's name (${c.name}) exactly to confirm the removal`);
      await removeCluster(req.deps.sql, req.session.caller, c.id, deps(req));
      return redirect(req, "/clusters?saved=removed");
    }),
  ];
}
