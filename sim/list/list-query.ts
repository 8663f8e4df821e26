/**
 * The unified list contract (reference §4): filter → sort → page, answered as
 * `{"<plural>": [...], "meta": {"counts": {"total", "remaining"}, "links": {"next", "previous"}}}`.
 * ND's default page size is undocumented; we use 100 so that a client that forgets to page sees
 * `remaining > 0` instead of silently getting everything. `max` is capped at 10000 like cisco.nd.
 */
import { unifiedError } from "../http/errors.ts";
import { compileFilter, FilterSyntaxError } from "./lucene-filter.ts";
import { parseSort, sortRecords, SortSyntaxError } from "./sort-spec.ts";

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 10_000;

export interface ListMeta {
  counts: { total: number; remaining: number };
  links: { next?: string; previous?: string };
}

export interface Page<T> {
  items: T[];
  offset: number;
  meta: ListMeta;
}

/** Applies filter/sort/offset/max from the query string; a Response means a 400 for bad input. */
export function listPage<T>(records: readonly T[], url: URL): Page<T> | Response {
  const query = url.searchParams;
  const offset = intParam(query.get("offset"), 0);
  const max = intParam(query.get("max"), DEFAULT_PAGE_SIZE);
  if (offset === undefined || offset < 0) return unifiedError(400, "offset must be a non-negative integer");
  if (max === undefined || max < 0) return unifiedError(400, "max must be a non-negative integer");
  let selected = records;
  try {
    const filter = query.get("filter");
    if (filter) selected = selected.filter(compileFilter(filter));
    const sort = query.get("sort");
    if (sort) selected = sortRecords(selected, parseSort(sort));
  } catch (error) {
    if (error instanceof FilterSyntaxError || error instanceof SortSyntaxError) {
      return unifiedError(400, `Invalid query: ${error.message}`);
    }
    throw error;
  }
  const size = Math.min(max, MAX_PAGE_SIZE);
  const items = selected.slice(offset, offset + size);
  const total = selected.length;
  const remaining = Math.max(0, total - offset - items.length);
  return { items, offset, meta: { counts: { total, remaining }, links: links(url, offset, size, total) } };
}

export function envelope<T>(plural: string, page: Page<T>): Record<string, unknown> {
  return { [plural]: page.items, meta: page.meta };
}

function links(url: URL, offset: number, size: number, total: number): ListMeta["links"] {
  const out: ListMeta["links"] = {};
  if (size > 0 && offset + size < total) out.next = pageUrl(url, offset + size, size);
  if (offset > 0) out.previous = pageUrl(url, Math.max(0, offset - size), size);
  return out;
}

function pageUrl(url: URL, offset: number, max: number): string {
  const next = new URL(url);
  next.searchParams.set("offset", String(offset));
  next.searchParams.set("max", String(max));
  return next.toString();
}

function intParam(value: string | null, fallback: number): number | undefined {
  if (value === null || value === "") return fallback;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}
