/**
 * Building the URL of one ND operation from its path template and the caller's parameters.
 *
 * Guarantees (prior-art H1): the result is the cluster's origin + the operation's base path +
 * the template with each `{param}` replaced by `encodeURIComponent(value)`. A parameter value
 * that could change the path's shape — `/` or `\` (so also any absolute URL or new host), `.`/`..`,
 * any `%XX` escape (e.g. %2F, %5C), `?`, `#`, NUL or any control character — is rejected before
 * anything is sent, as is
 * a template or base path that is not a plain absolute path. Finally the URL is parsed back and
 * must have the same origin and exactly the path that was built (nothing normalised away) under
 * the base path. URLs are built by template, never by URL resolution.
 */
import { Invalid } from "../errors.ts";

export type ParamValue = string | number | boolean;
export type QueryValue = ParamValue | readonly ParamValue[] | null | undefined;

/** A request refused before it was sent (the caller's input, not ND, is at fault). */
export class NdRequestRejected extends Invalid {
  override readonly name = "NdRequestRejected";
}

const MAX_PARAM = 1024;
/** Literal path characters (RFC 3986 pchar without `%`) plus `{name}` placeholders. */
const TEMPLATE = /^(\/([A-Za-z0-9._~!$&'()*+,;=:@-]|\{[A-Za-z_][A-Za-z0-9_.-]*\})*)+$/;
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;
const QUERY_NAME = /^[A-Za-z0-9_.$[\]-]{1,128}$/;

export interface NdUrlParts {
  baseUrl: string;
  basePath?: string;
  pathTemplate: string;
  pathParams?: Readonly<Record<string, ParamValue>>;
  query?: Readonly<Record<string, QueryValue>>;
}

export function buildNdUrl(parts: NdUrlParts): URL {
  const origin = new URL(parts.baseUrl).origin;
  const basePath = checkedBasePath(parts.basePath ?? "");
  const path = basePath + renderTemplate(parts.pathTemplate, parts.pathParams ?? {});
  const url = new URL(origin + path);
  if (url.origin !== origin || url.pathname !== path || !(path === basePath || path.startsWith(`${basePath}/`))) {
    throw new NdRequestRejected(`the request path ${JSON.stringify(path)} does not stay under ${basePath || "/"}`);
  }
  appendQuery(url, parts.query ?? {});
  return url;
}

function checkedBasePath(basePath: string): string {
  const trimmed = basePath.replace(/\/+$/, "");
  if (trimmed === "") return "";
  if (!TEMPLATE.test(trimmed) || trimmed.includes("{") || hasDotSegment(trimmed)) {
    throw new NdRequestRejected(`invalid base path ${JSON.stringify(basePath)}`);
  }
  return trimmed;
}

function renderTemplate(template: string, params: Readonly<Record<string, ParamValue>>): string {
  if (!TEMPLATE.test(template) || hasDotSegment(template))
    throw new NdRequestRejected(`invalid path template ${JSON.stringify(template)}`);
  const used = new Set<string>();
  const path = template.replace(PLACEHOLDER, (_, name: string) => {
    if (!Object.hasOwn(params, name)) throw new NdRequestRejected(`missing path parameter ${name}`);
    used.add(name);
    return encodeURIComponent(checkedParam(name, params[name]!));
  });
  const unused = Object.keys(params).filter((name) => !used.has(name));
  if (unused.length) throw new NdRequestRejected(`unknown path parameter(s) ${unused.join(", ")}`);
  return path;
}

/** `.`/`..` segments and empty ones (`//`, which some servers collapse) are never part of a template. */
function hasDotSegment(path: string): boolean {
  return path
    .split("/")
    .slice(1)
    .some((segment, i, all) => segment === "." || segment === ".." || (segment === "" && i < all.length - 1));
}

/** Why a path parameter value is refused, or undefined when it is a plain identifier. */
export function pathParamProblem(value: string): string | undefined {
  if (value === "") return "is empty";
  if (value.length > MAX_PARAM) return `is longer than ${MAX_PARAM} characters`;
  if (/[\u0000-\u001f\u007f]/.test(value)) return "contains a control character";
  if (/[/\\]/.test(value)) return "contains a slash";
  if (value.includes("..") || value === ".") return "contains a dot segment";
  if (/%[0-9A-Fa-f]{2}/.test(value)) return "contains a percent-encoded sequence";
  if (/[?#]/.test(value)) return "contains ? or #";
  return undefined;
}

function checkedParam(name: string, raw: ParamValue): string {
  if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") {
    throw new NdRequestRejected(`path parameter ${name} must be a string, number or boolean`);
  }
  const value = String(raw);
  const problem = pathParamProblem(value);
  if (problem) throw new NdRequestRejected(`path parameter ${name} ${problem}`);
  return value;
}

function appendQuery(url: URL, query: Readonly<Record<string, QueryValue>>): void {
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (!QUERY_NAME.test(name)) throw new NdRequestRejected(`invalid query parameter name ${JSON.stringify(name)}`);
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") {
        throw new NdRequestRejected(`query parameter ${name} must be a string, number or boolean`);
      }
      const text = String(item);
      if (/[\u0000-\u001f\u007f]/.test(text))
        throw new NdRequestRejected(`query parameter ${name} contains a control character`);
      url.searchParams.append(name, text);
    }
  }
}
