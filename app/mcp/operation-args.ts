/**
 * Checks a model's parameters against the operation's declared parameters before anything is
 * sent: unknown names, missing required ones and wrong types are refused with a message that
 * lists what is valid. Values are coerced only where the intent is unambiguous ("5" → 5).
 * Path parameters that could change the shape of the URL (`../`, `%2F`, `/`, `?`, …) are
 * refused here, before the guard and the audit of a write's intent, with the same rule the ND
 * client enforces again when it builds the URL (clusters/nd-url.ts).
 */
import type { Operation, OperationParam } from "../catalog/operation.ts";
import { allowedValuesFor } from "../catalog/did-you-mean.ts";
import { pathParamProblem } from "../clusters/nd-url.ts";

export interface SplitArgs {
  pathParams: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
}

export class ArgumentProblem extends Error {}

function scalar(p: OperationParam, value: unknown): string {
  if (value === null || value === undefined) throw new ArgumentProblem(`${p.name} has no value`);
  if (typeof value === "object") throw new ArgumentProblem(`${p.name} must be a ${p.type}, not an object or list`);
  const text = String(value);
  if ((p.type === "integer" || p.type === "number") && !/^-?\d+(\.\d+)?$/.test(text))
    throw new ArgumentProblem(`${p.name} must be a number; got "${text.slice(0, 40)}"`);
  if (p.type === "boolean" && !/^(true|false)$/.test(text))
    throw new ArgumentProblem(`${p.name} must be true or false`);
  if (p.enum?.length && !p.enum.map(String).includes(text)) {
    throw new ArgumentProblem(
      `${p.name} = "${text.slice(0, 40)}" is not allowed; allowed values (closest first): ${allowedValuesFor(text, p.enum.map(String))}`,
    );
  }
  return text;
}

function pathSegment(p: OperationParam, text: string): string {
  const problem = pathParamProblem(text);
  if (problem)
    throw new ArgumentProblem(`${p.name} ${problem}, which a ${p.name} never does; pass the plain name or id`);
  return text;
}

export function splitArgs(op: Operation, params: Record<string, unknown>): SplitArgs {
  const byName = new Map(op.parameters.map((p) => [p.name, p]));
  const unknown = Object.keys(params).filter((k) => !byName.has(k));
  if (unknown.length) {
    const valid = op.parameters.map((p) => p.name).join(", ") || "none";
    throw new ArgumentProblem(`${op.id} has no parameter ${unknown.join(", ")}; valid parameters: ${valid}`);
  }
  const out: SplitArgs = { pathParams: {}, query: {}, headers: {} };
  for (const p of op.parameters) {
    const value = params[p.name];
    if (value === undefined) {
      if (p.required) throw new ArgumentProblem(`${op.id} needs ${p.name} (${p.in} parameter, ${p.type})`);
      continue;
    }
    if (p.in === "path") out.pathParams[p.name] = pathSegment(p, scalar(p, value));
    else if (p.in === "header") out.headers[p.name] = scalar(p, value);
    else out.query[p.name] = Array.isArray(value) ? value.map((v) => scalar(p, v)) : scalar(p, value);
  }
  return out;
}

/** The operation pages upstream when it takes ND's offset/max parameters. */
export function pagesUpstream(op: Operation): boolean {
  const names = new Set(op.parameters.filter((p) => p.in === "query").map((p) => p.name));
  return names.has("offset") && names.has("max");
}
