/**
 * Checks a tool call's arguments against the input schema the client was shown, before anything
 * runs. A wrong type ("limit": "ten"), a missing required argument or an unknown one comes back
 * as a tool error naming the problem, instead of being ignored: a `cluster` that is not a string
 * must never quietly fall back to the default cluster.
 */
import type { Tool } from "@modelcontextprotocol/server";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/server/validators/ajv";
import { allowedValuesFor } from "../catalog/did-you-mean.ts";

type Check = (input: unknown) => { valid: boolean; errorMessage?: string };

const validator = new AjvJsonSchemaValidator();
// Compiled schemas by their JSON text: curated tools are constants, operation tools are rebuilt
// per request from the catalog but have the same text. Bounded for catalogs that change.
const compiled = new Map<string, Check | null>();
const MAX_COMPILED = 1000;
// The same tool object (curated tools are constants) skips even the JSON key: no
// re-serialisation of the schema on every call.
const byTool = new WeakMap<Tool, Check | null>();

function checkFor(tool: Tool): Check | null {
  const known = byTool.get(tool);
  if (known !== undefined) return known;
  const check = checkForSchema(tool);
  byTool.set(tool, check);
  return check;
}

function checkForSchema(tool: Tool): Check | null {
  const key = JSON.stringify(tool.inputSchema);
  if (compiled.has(key)) return compiled.get(key)!;
  let check: Check | null;
  try {
    check = validator.getValidator(tool.inputSchema as never) as Check;
  } catch {
    // A catalog schema the engine cannot compile: the call path still checks every parameter
    // itself (operation-args.ts), so the tool stays usable rather than failing for everyone.
    check = null;
  }
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, check);
  return check;
}

/** Why these arguments do not fit the tool's schema, in words a model can act on; null if they do. */
export function argumentProblem(tool: Tool, args: unknown): string | null {
  const unknown = unknownArguments(tool, args);
  if (unknown) return `invalid arguments for ${tool.name}: ${unknown}. tools/list shows its input schema.`;
  const outside = enumMiss(tool, args);
  if (outside) return `invalid arguments for ${tool.name}: ${outside}.`;
  const check = checkFor(tool);
  if (!check) return null;
  const result = check(args ?? {});
  if (result.valid) return null;
  const detail = (result.errorMessage ?? "they do not match its input schema")
    .replace(/\bdata\//g, "")
    .replace(/\bdata\b/g, "arguments")
    .slice(0, 400);
  return `invalid arguments for ${tool.name}: ${detail}. tools/list shows its input schema.`;
}

/** The engine's text says only "must be equal to one of the allowed values": name them, closest first. */
function enumMiss(tool: Tool, args: unknown): string | null {
  const properties = (tool.inputSchema as { properties?: Record<string, { enum?: unknown[] }> }).properties ?? {};
  if (!args || typeof args !== "object" || Array.isArray(args)) return null;
  for (const [name, value] of Object.entries(args)) {
    const allowed = Object.hasOwn(properties, name) ? properties[name]?.enum : undefined;
    if (!Array.isArray(allowed) || allowed.includes(value)) continue;
    const shown =
      typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : String(JSON.stringify(value)).slice(0, 40);
    return `${name} = ${shown} is not allowed; allowed values (closest first): ${allowedValuesFor(String(value), allowed.map(String))}`;
  }
  return null;
}

/** The engine's text says only "must NOT have additional properties"; name them and the valid ones. */
function unknownArguments(tool: Tool, args: unknown): string | null {
  const schema = tool.inputSchema as { properties?: Record<string, unknown>; additionalProperties?: unknown };
  if (schema.additionalProperties !== false || !args || typeof args !== "object" || Array.isArray(args)) return null;
  const known = Object.keys(schema.properties ?? {});
  const extra = Object.keys(args).filter((k) => !known.includes(k));
  if (!extra.length) return null;
  return `no argument ${extra.map((k) => JSON.stringify(k.slice(0, 60))).join(", ")}; valid arguments: ${known.join(", ") || "none"}`;
}
