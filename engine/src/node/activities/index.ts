import type { SopflowActivities } from '@sopflow/workflows';
import type { Sql } from 'postgres';
import type { Enroller } from '../enroll';
import type { Store } from '../store';
import { deliver, type Route } from './deliver';
import { enrollPage } from './enroll-page';
import { type HttpPolicy, httpRequest } from './http-request';
import { updateContact } from './update-contact';

export interface ActivityDeps {
  sql: Sql;
  /** The connector that delivers each channel. */
  routes: (channel: string) => Route | undefined;
  http: HttpPolicy;
  store: Store;
  enroller: Enroller;
}

export type { HttpPolicy, Route };

/** The worker's activities: the only place a flow touches the database and the outside world. */
export function createActivities(deps: ActivityDeps): SopflowActivities {
  return {
    deliver: (input) => deliver(deps.sql, deps.routes(input.channel), input),
    updateContact: (input) => updateContact(deps.sql, input),
    httpRequest: (input) => httpRequest(deps.http, input),
    enrollPage: (input) => enrollPage(deps.store, deps.enroller, input),
  };
}
