import type { SopflowActivities } from '@sopflow/workflows';
import type { Sql } from 'postgres';
import type { Enroller } from '../enroll';
import type { Store } from '../store';
import type { WeComGroups } from '../wecom-groups';
import { deliver, followDelivery, type Route, type UnsubscribeLinks } from './deliver';
import { enrollPage } from './enroll-page';
import { type HttpPolicy, httpRequest } from './http-request';
import { recordJourney } from './journey';
import { updateContact } from './update-contact';

export interface ActivityDeps {
  sql: Sql;
  /** The connector that delivers each channel. */
  routes: (channel: string) => Promise<Route | undefined>;
  /** Unsubscribe links in messages; none when no public URL and secret are configured. */
  unsubscribe?: UnsubscribeLinks;
  http: HttpPolicy;
  store: Store;
  enroller: Enroller;
  wecomGroups: WeComGroups;
}

export type { HttpPolicy, Route, UnsubscribeLinks };

/** The worker's activities: the only place a flow touches the database and the outside world. */
export function createActivities(deps: ActivityDeps): SopflowActivities {
  return {
    deliver: async (input) => deliver(deps.sql, await deps.routes(input.channel), input, deps.unsubscribe),
    followDelivery: async (input) => followDelivery(deps.sql, await deps.routes(input.channel), input),
    updateContact: (input) => updateContact(deps.sql, input),
    httpRequest: (input) => httpRequest(deps.http, input),
    enrollPage: (input) => enrollPage(deps.store, deps.enroller, input),
    recordJourney: (input) => recordJourney(deps.sql, input),
    reconcileWeComGroups: () => deps.wecomGroups.reconcile(),
  };
}
