/**
 * Path-template router. Templates are split into segments once at start; a request walks a trie,
 * preferring literal segments over `{param}` ones, so matching costs O(segments), not O(routes).
 * The first route registered for a (method, template) wins: core routes are added before the
 * generated Cisco ones and therefore override them.
 */

interface Node<T> {
  literal: Map<string, Node<T>>;
  param?: Node<T>;
  handlers: Map<string, { route: T; paramNames: string[] }>;
}

export interface RouteMatch<T> {
  route: T;
  params: Record<string, string>;
}

export type MatchResult<T> =
  | { kind: "found"; match: RouteMatch<T> }
  | { kind: "method-not-allowed"; allowed: string[] }
  | { kind: "not-found" };

const newNode = <T>(): Node<T> => ({ literal: new Map(), handlers: new Map() });

function splitPath(path: string): string[] {
  return path.split("/").slice(1);
}

export class Router<T> {
  private readonly root: Node<T> = newNode();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Returns false when the (method, template) is already taken. */
  add(method: string, template: string, route: T): boolean {
    let node = this.root;
    const paramNames: string[] = [];
    for (const segment of splitPath(template)) {
      const param = /^\{([^}]+)\}$/.exec(segment);
      if (param) {
        paramNames.push(param[1] as string);
        node.param ??= newNode();
        node = node.param;
      } else {
        let next = node.literal.get(segment);
        if (!next) {
          next = newNode();
          node.literal.set(segment, next);
        }
        node = next;
      }
    }
    const key = method.toUpperCase();
    if (node.handlers.has(key)) return false;
    node.handlers.set(key, { route, paramNames });
    this.count++;
    return true;
  }

  match(method: string, rawPath: string): MatchResult<T> {
    const segments = splitPath(rawPath);
    let node = this.find(this.root, segments, 0, []);
    // ND's documents have a few trailing-slash paths (`/api/v2/sites/`); accept either spelling.
    if (!node) {
      const toggled = rawPath.endsWith("/") ? rawPath.slice(0, -1) : `${rawPath}/`;
      if (toggled.length > 0) node = this.find(this.root, splitPath(toggled), 0, []);
    }
    if (!node) return { kind: "not-found" };
    const handler = node.node.handlers.get(method.toUpperCase());
    if (!handler) return { kind: "method-not-allowed", allowed: [...node.node.handlers.keys()] };
    const params: Record<string, string> = {};
    handler.paramNames.forEach((name, i) => {
      params[name] = safeDecode(node.values[i] as string);
    });
    return { kind: "found", match: { route: handler.route, params } };
  }

  private find(
    node: Node<T>,
    segments: string[],
    i: number,
    values: string[],
  ): { node: Node<T>; values: string[] } | undefined {
    if (i === segments.length) return node.handlers.size > 0 ? { node, values } : undefined;
    const segment = segments[i] as string;
    const literal = node.literal.get(segment);
    if (literal) {
      const found = this.find(literal, segments, i + 1, values);
      if (found) return found;
    }
    if (node.param && segment !== "") {
      return this.find(node.param, segments, i + 1, [...values, segment]);
    }
    return undefined;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
