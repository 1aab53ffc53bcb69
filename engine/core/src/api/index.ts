/**
 * `@sopflow/core/api`: the HTTP API's contract. One zod schema per request and answer, one module
 * per route family; the server validates requests and documents its OpenAPI with them, the
 * builder types its client with them (`ApiPaths` for openapi-fetch), and an end-to-end test parses
 * the server's real answers with them. Browser-safe, like the rest of the core.
 *
 * @example
 * ```ts
 * import { CampaignRequest, type FlowList } from '@sopflow/core/api';
 * const parsed = CampaignRequest.safeParse(body); // the server
 * const flows: FlowList = await (await fetch('/api/flows')).json(); // a client
 * ```
 */

export * from './auth';
export * from './campaigns';
export * from './channel-codes';
export * from './channels';
export * from './contact-columns';
export * from './contacts';
export * from './errors';
export * from './events';
export * from './flows';
export * from './groups';
export * from './integrator-webhooks';
export * from './message-statuses';
export * from './messages';
export * from './numbers';
export * from './outbox';
export type { ApiPaths } from './paths';
export * from './settings';
export * from './tags';
export * from './temporal-codec';
