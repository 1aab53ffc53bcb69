import type { Role } from '@sopflow/core/api';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { findTargetHandler } from 'hono/utils/handler';
import { describeRoute, resolver } from 'hono-openapi';
import { z } from 'zod';

/**
 * Every route is registered with `doc(...)`: one declaration gives its OpenAPI operation (from
 * the same zod schemas the handler validates with) and who may call it, which the auth
 * middleware reads. A route without one is for admins only, so a forgotten declaration locks a
 * route rather than opening it, and the OpenAPI test names it.
 */

/** `public`: no credentials (signed webhooks, provider callbacks, health, login). */
export type Access = 'public' | Role;

export interface RouteMeta {
  access: Access;
  /** Recorded in the audit log. @default true for POST, PUT, PATCH and DELETE */
  audit?: boolean;
  /**
   * A POST that changes nothing (the Temporal codec): a session may call it without the CSRF
   * token, and it is not audited unless `audit` says so. @default false
   */
  sideEffectFree?: boolean;
}

type ResponseDoc = string | { description: string; schema?: z.ZodType; media?: string };

export interface RouteDoc extends RouteMeta {
  summary: string;
  description?: string;
  tags: string[];
  /** The JSON request body. */
  body?: z.ZodType;
  /** Other request media types, e.g. CSV (`{ 'text/csv': { type: 'string' } }`). */
  bodyMedia?: Record<string, Record<string, unknown>>;
  /** Query parameters: an object schema whose properties are the parameters. */
  query?: z.ZodObject;
  responses: Record<number, ResponseDoc>;
}

const META = Symbol('sopflow.route');

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

function queryParameters(query: z.ZodObject) {
  const schema = z.toJSONSchema(query, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query' as const,
      required: schema.required?.includes(name) ?? false,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** Documents a route and says who may call it. */
export function doc(spec: RouteDoc): MiddlewareHandler {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const r = typeof response === 'string' ? { description: response } : response;
    responses[status] = {
      description: r.description,
      ...(r.schema
        ? { content: { [r.media ?? 'application/json']: { schema: resolver(r.schema as never) } } }
        : Number(status) >= 400
          ? { content: errorContent }
          : {}),
    };
  }
  if (spec.access !== 'public') {
    responses['401'] ??= { description: 'No valid credentials.', content: errorContent };
    responses['403'] ??= {
      description: `Needs the ${spec.access} role (or, with a session cookie, the CSRF header on writes).`,
      content: errorContent,
    };
    responses['429'] ??= { description: 'Too many requests with this token.', content: errorContent };
  }
  const content: Record<string, unknown> = {};
  if (spec.body) content['application/json'] = { schema: resolver(spec.body as never) };
  for (const [media, schema] of Object.entries(spec.bodyMedia ?? {})) content[media] = { schema };
  const middleware = describeRoute({
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags,
    ...(spec.query ? { parameters: queryParameters(spec.query) } : {}),
    ...(Object.keys(content).length > 0 ? { requestBody: { required: true, content } } : {}),
    responses: responses as never,
    security: spec.access === 'public' ? [] : [{ bearerAuth: [] }, { sessionCookie: [] }],
    'x-sopflow-role': spec.access,
    // A POST that changes nothing (the codec) needs no CSRF header with a session cookie.
    ...(spec.sideEffectFree ? { 'x-sopflow-side-effect-free': true } : {}),
  } as never);
  return Object.assign(middleware, {
    [META]: {
      access: spec.access,
      audit: spec.audit,
      sideEffectFree: spec.sideEffectFree,
    } satisfies RouteMeta,
  });
}

/** The route a request matched (its pattern) and what its `doc` says; none for unknown paths. */
export function routeOf(c: Context): { path: string; meta?: RouteMeta } | undefined {
  const routes = matchedRoutes(c).filter((r) => r.method !== 'ALL');
  const first = routes[0];
  if (!first) return undefined;
  for (const r of routes) {
    if (r.path !== first.path) continue;
    const meta = (findTargetHandler(r.handler) as unknown as Record<symbol, RouteMeta | undefined>)[META];
    if (meta) return { path: first.path, meta };
  }
  return { path: first.path };
}
