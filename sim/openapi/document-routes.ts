/**
 * Serves the OpenAPI documents the simulator was given, as ND 4.x serves its API reference
 * under /help-center/swagger/ (the exact file URLs of a real ND are not documented; the
 * gateway's `catalog fetch` takes the paths from the administrator). Authenticated, like ND.
 */
import { jsonText } from "../http/respond.ts";
import type { SimRoute } from "../http/route.ts";
import type { LoadedSpec } from "./load-specs.ts";

export const DOCUMENT_PREFIX = "/help-center/swagger";

export function documentRoutes(specs: readonly LoadedSpec[]): SimRoute[] {
  return specs.map((spec) => {
    const text = JSON.stringify(spec.doc);
    return {
      method: "GET",
      path: `${DOCUMENT_PREFIX}/${spec.api}.json`,
      family: "platform",
      handle: () => jsonText(text),
    };
  });
}
