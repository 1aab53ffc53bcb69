import type { SopflowActivities } from '@sopflow/workflows';
import { Context } from '@temporalio/activity';
import type { Database } from '../persistence';
import type { ConnectorJobs } from '../services/connector-jobs';
import type { ContactChanges } from '../services/contact-changes';
import type { Enroller } from '../services/enroll';
import { MessageStatuses } from '../services/message-status';
import type { Retention } from '../services/retention';
import { deliver, followDelivery, type Route, type UnsubscribeLinks } from './deliver';
import { enrollPage } from './enroll-page';
import { type HttpPolicy, httpRequest } from './http-request';
import { withJoinWayInvite } from './join-way-invite';
import { updateContact } from './update-contact';

export interface ActivityDeps {
  /** The connector that delivers each channel. */
  routes: (channel: string) => Promise<Route | undefined>;
  /** Unsubscribe links in messages; none when no public URL and secret are configured. */
  unsubscribe?: UnsubscribeLinks;
  http: HttpPolicy;
  store: Database;
  enroller: Enroller;
  /** Where a contact an update step changed is pushed to its other running flows. */
  contactChanges: ContactChanges;
  /** The jobs connectors declare, run by the `connectorJob` workflow. */
  connectorJobs: ConnectorJobs;
  /** Where each message's status changes are recorded. @default one over `store` */
  messageStatuses?: MessageStatuses;
  /** Retention settings and the purge the `retentionPurge` workflow runs. */
  retention: Pick<Retention, 'purge'>;
}

export type { HttpPolicy, Route, UnsubscribeLinks };

/** The worker's activities: the only place a flow touches the database and the outside world. */
export function createActivities(deps: ActivityDeps): SopflowActivities {
  const records = {
    deliveries: deps.store.deliveries,
    statuses: deps.messageStatuses ?? new MessageStatuses(deps.store.messageStatuses),
  };
  return {
    deliver: async (input) =>
      deliver(
        records,
        await deps.routes(input.channel),
        await withJoinWayInvite(deps.store.groupEntry, input),
        deps.unsubscribe,
      ),
    followDelivery: async (input) => followDelivery(records, await deps.routes(input.channel), input),
    updateContact: (input) =>
      updateContact(deps.store.contacts, deps.contactChanges, input, deps.connectorJobs),
    httpRequest: (input) => httpRequest(deps.http, input),
    // The campaign is the workflow calling: its id names the campaign's record.
    enrollPage: (input) =>
      enrollPage(deps.store, deps.enroller, input, Context.current().info.workflowExecution?.workflowId),
    recordJourney: (input) => deps.store.journeys.recordBatch(input),
    runConnectorJob: (input) => deps.connectorJobs.run(input),
    purgeExpired: () => deps.retention.purge(new Date(), () => Context.current().heartbeat()),
  };
}
