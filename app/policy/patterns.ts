/**
 * Operation patterns used by whitelists, constraints, approval rules and tool profiles:
 * an exact operation id, or a glob where `*` matches any run of characters ("manage.*",
 * "*.delete*"). Matching is case-sensitive, like operation ids.
 */
const cache = new Map<string, RegExp>();

export function matchesPattern(pattern: string, operationId: string): boolean {
  if (!pattern.includes("*")) return pattern === operationId;
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split("*").map(escape).join(".*")}$`);
    cache.set(pattern, re);
  }
  return re.test(operationId);
}

export function matchesAny(patterns: readonly string[], operationId: string): boolean {
  return patterns.some((p) => matchesPattern(p, operationId));
}

function escape(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

export const PATTERN_RULE = /^[A-Za-z0-9_.*-]{1,128}$/;
