import type { LocalRoute } from '#local/core/types';
import { RouteConfigError } from './errors';

/**
 * Route selection as API Gateway HTTP APIs do it: the most specific route wins. Paths are compared segment
 * by segment, a literal beating a `{param}` beating a greedy `{proxy+}`; for the same path a route with the
 * request's method beats `ANY`; `$default` catches whatever nothing else matches.
 */

type Segment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

export interface CompiledRoute {
  readonly route: LocalRoute;
  /** Upper-case method, `ANY`, or `$default`. */
  readonly method: string;
  readonly segments: readonly Segment[];
}

export interface RouteMatch {
  readonly route: LocalRoute;
  readonly pathParameters: Readonly<Record<string, string>>;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY']);
const RANK = { literal: 0, param: 1, greedy: 2 } as const;

function compile(route: LocalRoute): CompiledRoute {
  if (route.routeKey === '$default') return { route, method: '$default', segments: [] };
  const match = /^([A-Za-z]+) (\/\S*)$/.exec(route.routeKey);
  if (!match || !METHODS.has(match[1]!.toUpperCase())) {
    throw new RouteConfigError(
      `route key '${route.routeKey}' is not '$default' or 'METHOD /path' (METHOD one of ${[...METHODS].join(', ')})`,
    );
  }
  const parts = match[2] === '/' ? [] : match[2]!.slice(1).split('/');
  const segments = parts.map((part, i): Segment => {
    const param = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/.exec(part);
    if (!param) {
      if (part === '' || /[{}]/.test(part)) {
        throw new RouteConfigError(`route key '${route.routeKey}' has an invalid path segment '${part}'`);
      }
      return { kind: 'literal', value: part };
    }
    if (param[2] === '+') {
      if (i !== parts.length - 1) {
        throw new RouteConfigError(
          `route key '${route.routeKey}': a greedy {${param[1]}+} must be the last segment`,
        );
      }
      return { kind: 'greedy', name: param[1]! };
    }
    return { kind: 'param', name: param[1]! };
  });
  return { route, method: match[1]!.toUpperCase(), segments };
}

export function compileRoutes(routes: readonly LocalRoute[]): CompiledRoute[] {
  const seen = new Set<string>();
  return routes.map((route) => {
    const compiled = compile(route);
    const key = `${compiled.method} ${compiled.segments.map((s) => (s.kind === 'literal' ? s.value : `{${s.kind}}`)).join('/')}`;
    if (seen.has(key)) throw new RouteConfigError(`route key '${route.routeKey}' duplicates another route`);
    seen.add(key);
    return compiled;
  });
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Path parameters if `route` matches the raw path segments, else undefined. */
function tryMatch(route: CompiledRoute, parts: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i += 1) {
    const segment = route.segments[i]!;
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.every((p) => p === '')) return undefined;
      params[segment.name] = decode(rest.join('/'));
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === '') return undefined;
    if (segment.kind === 'literal' && decode(part) !== segment.value) return undefined;
    if (segment.kind === 'param') params[segment.name] = decode(part);
  }
  return parts.length === route.segments.length ? params : undefined;
}

/** Negative when `a` is more specific than `b`. */
function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i += 1) {
    const ra = a.segments[i] ? RANK[a.segments[i]!.kind] : -1;
    const rb = b.segments[i] ? RANK[b.segments[i]!.kind] : -1;
    if (ra !== rb) return ra - rb;
  }
  return (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0);
}

/** `rawPath` is the path as received (percent-encoded), without the stage prefix. */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  rawPath: string,
): RouteMatch | undefined {
  const parts = rawPath === '/' ? [] : rawPath.slice(1).split('/');
  const upper = method.toUpperCase();
  let best: { route: CompiledRoute; params: Record<string, string> } | undefined;
  for (const route of routes) {
    if (route.method === '$default' || (route.method !== 'ANY' && route.method !== upper)) continue;
    const params = tryMatch(route, parts);
    if (params && (!best || compareSpecificity(route, best.route) < 0)) best = { route, params };
  }
  if (best) return { route: best.route.route, pathParameters: best.params };
  const fallback = routes.find((r) => r.method === '$default');
  return fallback ? { route: fallback.route, pathParameters: {} } : undefined;
}
