/**
 * Our own OpenAPI 3.0.3 document for the operations the simulator serves statefully (written for
 * this project, not derived from Cisco's files). The catalog imports it so that the demo works
 * without Cisco's documents. Paths are full paths under `https://{cluster}`; each operation says
 * which ND API it belongs to in `x-nd-api`, and carries ND role scopes like Cisco's documents.
 * `bun sim/core-openapi/write-core-openapi.ts` writes it to app/catalog/core.openapi.json.
 */
import { CORE_SCHEMAS } from "./core-schemas.ts";

type Json = Record<string, unknown>;

const READ = ["fabric-admin", "super-admin", "observer", "support-engineer", "designer", "approver"];
const WRITE = ["fabric-admin", "super-admin"];
const NDFC_TOP_DOWN = "/appcenter/cisco/ndfc/api/v1/lan-fabric/rest/top-down/fabrics/{fabric}";

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });
const PAGING = [param("filter"), param("max"), param("offset"), param("sort")];

function ok(description: string, body: Json, status = "200"): Json {
  return { [status]: { description, content: { "application/json": { schema: body } } } };
}

function listOf(plural: string, item: string): Json {
  return {
    type: "object",
    required: [plural, "meta"],
    properties: { [plural]: { type: "array", items: schema(item) }, meta: schema("ListMeta") },
  };
}

const ERRORS = {
  "400": { $ref: "#/components/responses/BadRequest" },
  "401": { $ref: "#/components/responses/Unauthorized" },
  "403": { $ref: "#/components/responses/Forbidden" },
  "404": { $ref: "#/components/responses/NotFound" },
};

interface OpSpec {
  api: string;
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  parameters?: Json[];
  requestBody?: Json;
  responses: Json;
  scopes: string[];
}

function op(spec: OpSpec): Json {
  const legacy = spec.api === "ndfc";
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: [spec.tag],
    "x-nd-api": spec.api,
    ...(spec.parameters ? { parameters: spec.parameters } : {}),
    ...(spec.requestBody ? { requestBody: spec.requestBody } : {}),
    responses: {
      ...spec.responses,
      ...(legacy
        ? {
            "400": { $ref: "#/components/responses/NdfcError" },
            "401": ERRORS["401"],
            "403": ERRORS["403"],
            "404": { $ref: "#/components/responses/NdfcError" },
          }
        : ERRORS),
    },
    security: [{ OAuth2: spec.scopes }],
  };
}

function paths(): Json {
  return {
    "/api/v1/manage/fabrics": {
      get: op({
        api: "manage",
        operationId: "listFabrics",
        tag: "Fabrics",
        scopes: READ,
        summary: "List fabrics",
        description:
          "Fabrics with their type, category and licence tier. Paged with offset/max; filter with Lucene syntax, e.g. `management.type:vxlan*`.",
        parameters: [param("category"), ...PAGING],
        responses: ok("Fabrics", listOf("fabrics", "Fabric")),
      }),
      post: op({
        api: "manage",
        operationId: "createFabric",
        tag: "Fabrics",
        scopes: WRITE,
        summary: "Create a fabric",
        description: "Creates an empty fabric. Answers 202 with a statusUrl to poll; 409 if the name is taken.",
        requestBody: { required: true, content: { "application/json": { schema: schema("FabricCreate") } } },
        responses: {
          ...ok("Accepted; poll statusUrl", schema("Accepted"), "202"),
          "409": { $ref: "#/components/responses/Conflict" },
        },
      }),
    },
    "/api/v1/manage/fabrics/{fabricName}": {
      get: op({
        api: "manage",
        operationId: "getFabricDetails",
        tag: "Fabrics",
        scopes: READ,
        summary: "Get one fabric's settings",
        description: "All settings of one fabric, including its management (type-specific) block.",
        parameters: [param("pathFabricName")],
        responses: ok("The fabric", schema("Fabric")),
      }),
      delete: op({
        api: "manage",
        operationId: "deleteFabric",
        tag: "Fabrics",
        scopes: WRITE,
        summary: "Delete a fabric",
        description: "Deletes the fabric together with its switches, VRFs and networks. Destructive.",
        parameters: [param("pathFabricName")],
        responses: { "204": { description: "Deleted" } },
      }),
    },
    "/api/v1/manage/fabricsSummary": {
      get: op({
        api: "manage",
        operationId: "listFabricsSummary",
        tag: "Fabrics",
        scopes: READ,
        summary: "List fabrics with health roll-up",
        description:
          "Per fabric: worst anomaly and advisory level, reachability, configuration sync state and NX-OS versions.",
        parameters: [param("category"), ...PAGING],
        responses: ok("Fabric summaries", listOf("fabrics", "FabricSummary")),
      }),
    },
    "/api/v1/manage/fabrics/{fabricName}/switches": {
      get: op({
        api: "manage",
        operationId: "listFabricSwitches",
        tag: "Switches",
        scopes: READ,
        summary: "List the switches of a fabric",
        description: "Switches of one fabric with role, model, version, health and vPC pairing. Paged.",
        parameters: [param("pathFabricName"), param("hostname"), ...PAGING],
        responses: ok("Switches", listOf("switches", "Switch")),
      }),
    },
    "/api/v1/manage/fabrics/{fabricName}/switches/{switchId}": {
      get: op({
        api: "manage",
        operationId: "getFabricSwitch",
        tag: "Switches",
        scopes: READ,
        summary: "Get one switch",
        description: "One switch of a fabric, including vPC and discovery state.",
        parameters: [param("pathFabricName"), param("pathSwitchId")],
        responses: ok("The switch", schema("Switch")),
      }),
    },
    "/api/v1/manage/inventory/switches": {
      get: op({
        api: "manage",
        operationId: "listAllSwitches",
        tag: "Switches",
        scopes: READ,
        summary: "List all switches across fabrics",
        description: "The whole switch inventory; narrow it with fabricName, switchId, hostname or a filter. Paged.",
        parameters: [param("fabricName"), param("switchId"), param("hostname"), ...PAGING],
        responses: ok("Switches", listOf("switches", "Switch")),
      }),
    },
    "/api/v1/manage/inventory/switches/summary": {
      get: op({
        api: "manage",
        operationId: "getAllSwitchesSummary",
        tag: "Switches",
        scopes: READ,
        summary: "Count switches by health, sync state, role and version",
        description: "Counts of all switches per anomaly level, configuration sync status, role and NX-OS version.",
        responses: ok("Counts", schema("SwitchesSummary")),
      }),
    },
    [`${NDFC_TOP_DOWN}/vrfs`]: {
      get: op({
        api: "ndfc",
        operationId: "listVrfs",
        tag: "VRFs",
        scopes: READ,
        summary: "List the VRFs of a fabric",
        description:
          "VRFs of a VXLAN fabric (legacy NDFC API; the only VRF API on ND 4.1). A bare array, not paged; vrfTemplateConfig is JSON inside a string.",
        parameters: [param("pathFabric")],
        responses: ok("VRFs", { type: "array", items: schema("Vrf") }),
      }),
      post: op({
        api: "ndfc",
        operationId: "createVrf",
        tag: "VRFs",
        scopes: WRITE,
        summary: "Create a VRF",
        description: "Creates a VRF in a VXLAN fabric (not yet deployed: status NA). 409 if the name or VNI is taken.",
        parameters: [param("pathFabric")],
        requestBody: { required: true, content: { "application/json": { schema: schema("VrfCreate") } } },
        responses: { ...ok("The created VRF", schema("Vrf")), "409": { $ref: "#/components/responses/NdfcError" } },
      }),
    },
    [`${NDFC_TOP_DOWN}/vrfs/{vrfName}`]: {
      delete: op({
        api: "ndfc",
        operationId: "deleteVrf",
        tag: "VRFs",
        scopes: WRITE,
        summary: "Delete a VRF",
        description: "Deletes a VRF; refused (409) while networks still use it. Destructive.",
        parameters: [param("pathFabric"), param("pathVrfName")],
        responses: { "200": { description: "Deleted" }, "409": { $ref: "#/components/responses/NdfcError" } },
      }),
    },
    [`${NDFC_TOP_DOWN}/networks`]: {
      get: op({
        api: "ndfc",
        operationId: "listNetworks",
        tag: "Networks",
        scopes: READ,
        summary: "List the networks of a fabric",
        description:
          "Networks of a VXLAN fabric (legacy NDFC API). A bare array; networkTemplateConfig is JSON inside a string.",
        parameters: [param("pathFabric")],
        responses: ok("Networks", { type: "array", items: schema("Network") }),
      }),
    },
    "/api/v1/analyze/interfaces": {
      get: op({
        api: "analyze",
        operationId: "listFabricInterfaces",
        tag: "Interfaces",
        scopes: READ,
        summary: "List the interfaces of a fabric",
        description: "Interfaces with admin/operational state, speed and description. fabricName is required. Paged.",
        parameters: [param("fabricNameRequired"), param("switchId"), ...PAGING],
        responses: ok("Interfaces", listOf("interfaces", "Interface")),
      }),
    },
    "/api/v1/analyze/anomalies/details": {
      get: op({
        api: "analyze",
        operationId: "getAnomalyDetails",
        tag: "Anomalies",
        scopes: READ,
        summary: "List anomalies",
        description:
          "Anomaly records, optionally of one fabric or switch (nodeName). Paged; filter e.g. `severity:critical`.",
        parameters: [param("fabricName"), param("nodeName"), ...PAGING],
        responses: ok("Anomalies", {
          ...listOf("anomalies", "Anomaly"),
          properties: {
            anomalies: { type: "array", items: schema("Anomaly") },
            offset: { type: "integer" },
            meta: schema("ListMeta"),
          },
        }),
      }),
    },
    "/api/v1/analyze/anomalies/summary": {
      get: op({
        api: "analyze",
        operationId: "getAnomaliesSummary",
        tag: "Anomalies",
        scopes: READ,
        summary: "Count anomalies by severity",
        description: "Anomaly counts and highest score per severity, for one fabric or all.",
        parameters: [param("fabricName"), param("nodeName")],
        responses: ok("Summary", schema("AnomaliesSummary")),
      }),
    },
    "/api/v1/analyze/advisories/summary": {
      get: op({
        api: "analyze",
        operationId: "getAdvisoriesSummary",
        tag: "Advisories",
        scopes: READ,
        summary: "Count advisories by category",
        description: "Advisory counts (PSIRT, end of life, field notices…) and highest score per category.",
        parameters: [param("fabricName"), param("nodeName")],
        responses: ok("Summary", schema("AdvisoriesSummary")),
      }),
    },
    "/api/v1/infra/clusterhealth/status": {
      get: op({
        api: "infra",
        operationId: "getClusterHealtStatus",
        tag: "Cluster",
        scopes: READ,
        summary: "Get ND cluster health",
        description:
          "Health of core services, features, Kubernetes and each node. (The operationId keeps Cisco's spelling.)",
        responses: ok("Health", schema("ClusterHealth")),
      }),
    },
    "/api/v1/infra/cluster/status": {
      get: op({
        api: "infra",
        operationId: "getClusterStatus",
        tag: "Cluster",
        scopes: READ,
        summary: "Get ND cluster state",
        description: "Cluster state and bootstrap/upgrade progress.",
        responses: ok("Status", schema("ClusterStatus")),
      }),
    },
    "/api/v1/infra/cluster/nodes": {
      get: op({
        api: "infra",
        operationId: "listNodes",
        tag: "Cluster",
        scopes: READ,
        summary: "List ND nodes",
        description:
          "Nodes of the ND cluster with role and firmware. nodeController.authentication contains a password.",
        parameters: [param("nodeName"), param("nodeRole")],
        responses: ok("Nodes", { type: "object", properties: { nodes: { type: "array", items: schema("Node") } } }),
      }),
    },
    "/mso/api/v1/sites": {
      get: op({
        api: "orchestrator",
        operationId: "listSites",
        tag: "Sites",
        scopes: READ,
        summary: "List Orchestrator sites",
        description: "Sites managed by Nexus Dashboard Orchestrator. Each site contains its controller password.",
        responses: ok("Sites", { type: "object", properties: { sites: { type: "array", items: schema("Site") } } }),
      }),
    },
    "/version.json": {
      get: op({
        api: "platform",
        operationId: "getPlatformVersion",
        tag: "Version",
        scopes: READ,
        summary: "Get the Nexus Dashboard version",
        description: "Platform release (major.minor.maintenance + patch letter).",
        responses: ok("Version", schema("PlatformVersion")),
      }),
    },
    "/appcenter/cisco/ndfc/api/v1/fm/about/version": {
      get: op({
        api: "ndfc",
        operationId: "getNdfcVersion",
        tag: "Version",
        scopes: READ,
        summary: "Get the fabric controller (NDFC) version",
        description: "NDFC version; 12.4.x means Nexus Dashboard 4.x.",
        responses: ok("Version", schema("NdfcVersion")),
      }),
    },
  };
}

function queryParam(name: string, description: string, schemaBody: Json, required = false): Json {
  return { name, in: "query", required, description, schema: schemaBody };
}

function pathParam(name: string, description: string, example: string): Json {
  return {
    name,
    in: "path",
    required: true,
    description,
    example,
    schema: { type: "string", minLength: 1, maxLength: 64 },
  };
}

function parameters(): Json {
  return {
    offset: queryParam("offset", "Number of records to skip", { type: "integer", minimum: 0, default: 0 }),
    max: queryParam("max", "Number of records to return (default 100, at most 10000)", {
      type: "integer",
      minimum: 0,
      maximum: 10000,
      default: 100,
    }),
    filter: queryParam(
      "filter",
      "Lucene filter: field:value, AND, OR, NOT, * wildcards, e.g. `switchRole:leaf AND softwareVersion:10.4*`",
      { type: "string" },
    ),
    sort: queryParam("sort", "Sort fields with direction, e.g. `hostname:asc` or `anomalyLevel:asc,hostname:desc`", {
      type: "string",
    }),
    category: queryParam("category", "Only fabrics of this category", {
      type: "string",
      enum: ["fabric", "fabricGroup"],
    }),
    fabricName: queryParam("fabricName", "Only records of this fabric", {
      type: "string",
      minLength: 1,
      maxLength: 64,
    }),
    fabricNameRequired: queryParam("fabricName", "The fabric", { type: "string", minLength: 1, maxLength: 64 }, true),
    switchId: queryParam("switchId", "Only this switch (serial number)", { type: "string" }),
    hostname: queryParam("hostname", "Only the switch with this host name", { type: "string" }),
    nodeName: queryParam("nodeName", "Only records of this switch (or ND node) name", { type: "string" }),
    nodeRole: queryParam("nodeRole", "Only ND nodes with this role", { type: "string" }),
    pathFabricName: pathParam("fabricName", "Name of the fabric", "ams-dc1"),
    pathFabric: pathParam("fabric", "Name of the fabric", "ams-dc1"),
    pathSwitchId: pathParam("switchId", "Switch id (serial number)", "FDO23LEMUZ9"),
    pathVrfName: pathParam("vrfName", "Name of the VRF", "prod-vrf"),
  };
}

function errorResponse(description: string, schemaName = "Error"): Json {
  return { description, content: { "application/json": { schema: schema(schemaName) } } };
}

export function buildCoreOpenApi(): Json {
  return {
    openapi: "3.0.3",
    info: {
      title: "Nexus Dashboard core operations (Nexus MCP Gateway)",
      version: "1.0.0",
      description:
        "The Nexus Dashboard 4.1 operations the gateway's curated tools rely on, written for this project. " +
        "Full paths on the cluster; `x-nd-api` names the ND API family. Mirrors what the ND simulator serves.",
    },
    servers: [
      {
        url: "https://{cluster}",
        variables: { cluster: { default: "nd.example.com", description: "ND cluster address" } },
      },
    ],
    paths: paths(),
    components: {
      parameters: parameters(),
      schemas: CORE_SCHEMAS,
      responses: {
        BadRequest: errorResponse("Bad request"),
        Unauthorized: errorResponse(
          "Missing, invalid or expired credentials (body contains 'token has expired' when the session expired)",
        ),
        Forbidden: errorResponse("The user's role does not allow this operation"),
        NotFound: errorResponse("No such object"),
        Conflict: errorResponse("The object already exists or is in use"),
        NdfcError: errorResponse("Legacy NDFC error", "NdfcError"),
      },
      securitySchemes: {
        OAuth2: {
          type: "oauth2",
          description: "ND roles as scopes (documentation only; ND does not implement OAuth)",
          flows: {
            implicit: {
              authorizationUrl: "https://example.com/login",
              scopes: {
                observer: "Read access",
                "fabric-admin": "Write access to fabric resources",
                "support-engineer": "Operate managed resources",
                "super-admin": "All operations",
                approver: "Approve policies",
                designer: "Design policies",
              },
            },
          },
        },
        http_signature: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "Session JWT from POST /login",
        },
        cookieAuth: { type: "apiKey", in: "cookie", name: "AuthCookie", description: "Session JWT as cookie" },
      },
    },
  };
}
