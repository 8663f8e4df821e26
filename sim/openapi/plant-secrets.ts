/**
 * Cisco's examples blank or mask their secrets (`"password": ""`, `"switchPassword": ""`). The
 * gateway must prove it redacts real ones, so every answer built from a document gets
 * secret-looking values in its secret-named string fields. Masked values (containing `*`, as ND
 * masks API keys in lists) are left alone, because that is what ND really sends.
 */
import type { Rng } from "../prng.ts";
import { secretValue, SECRET_PROPERTY } from "./sample-strings.ts";

export function plantSecrets(value: unknown, rng: Rng): unknown {
  if (Array.isArray(value)) return value.map((item) => plantSecrets(item, rng));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] =
      typeof child === "string" && SECRET_PROPERTY.test(key) && !child.includes("*")
        ? secretValue(rng)
        : plantSecrets(child, rng);
  }
  return out;
}
