import {
  advance,
  type Contact,
  contactZone,
  type EventUse,
  type Input,
  migrate,
  type NodeMapping,
  nextLocalTime,
  type Plan,
  quietHoursEnd,
  type RunOutcome,
  type RunState,
  renderData,
  type Step,
  start,
  type TaskCommand,
  type TaskResult,
} from '@sopflow/core/interpreter';
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  DeliverInput,
  DeliverResult,
  JourneyStep,
  RecordJourneyInput,
  SopflowActivities,
  TaskOrigin,
} from './activities';
import { FlowVersionKey, NodeKey } from './search-attributes';

export interface ContactFlowInput {
  /** The compiled plan of the published version: workflow input, so a new version never changes this run. */
  plan: Plan;
  contact: Contact;
  /** The stored revision of `contact`: changes pushed later carry higher ones. */
  contactRevision?: number;
  /** The payload of the event that enrolled the contact. */
  event: Record<string, unknown>;
  /**
   * Set when the run is started on the welcome task queue (a flow started by a customer adding a
   * staff member): every task but the welcome send goes to this queue, so the welcome queue's
   * worker slots are kept for welcomes. Absent: all tasks go to the run's own queue.
   */
  tasksQueue?: string;
  /** Set when a long run continues as new: where it was, and events not yet handled. */
  resume?: {
    state: RunState;
    inbox: Input[];
    journeyBatch?: number;
    /** Ids of the latest events taken, so one delivered twice is taken once. */
    eventIds?: string[];
  };
}

export interface ContactFlowResult {
  outcome: RunOutcome;
}

export interface FlowEvent {
  name: string;
  payload?: Record<string, unknown>;
  /**
   * The event's id where it is recorded: the same event delivered again (a signal after an update
   * that timed out, a retried post) is taken once.
   */
  id?: string;
}

/**
 * What the run did with an event (`EventUse`), or `pending`: it is busy with a step (a send, a
 * request) and takes the event when that is done, or it had taken it already.
 */
export type EventAnswer = EventUse | 'pending';

/** Where a contact is now: for the canvas and for operators' scripts. */
export const runStateQuery = defineQuery<RunState>('sopflow.state');
/** An event for this contact (reply, click, order paid, task done). */
export const eventSignal = defineSignal<[FlowEvent]>('sopflow.event');
/** The contact as it is now, after a change made outside the run, and its stored revision. */
export interface ContactChange {
  contact: Contact;
  revision?: number;
}
/**
 * The contact changed (an operator, an import, a webhook, another flow's step): later steps read
 * it. It does not wake the run, so a change costs the history this signal and nothing more.
 */
export const contactChangedSignal = defineSignal<[ContactChange]>('sopflow.contact');
/** The same as `eventSignal`, answering what the run did with the event. */
export const eventUpdate = defineUpdate<EventAnswer, [FlowEvent]>('sopflow.event.answered');
/** Ends the run cleanly (the flow was stopped). */
export const cancelSignal = defineSignal<[string]>('sopflow.cancel');
/** Moves the run to a newer version of its flow, at the node the mapping names for where it waits. */
/** Moves a waiting run to another version's plan, its steps mapped old id → new id. */
export interface MigrateRequest {
  plan: Plan;
  mapping: NodeMapping;
}
export const migrateSignal = defineSignal<[MigrateRequest]>('sopflow.migrate');

/** Histories past this many events continue as new, so a months-long cadence stays cheap to replay. */
const HISTORY_LIMIT = 2000;

/** How many of the latest event ids a run remembers to take a repeated delivery once. */
const EVENT_IDS_KEPT = 100;

const activities = proxyActivities<SopflowActivities>({
  startToCloseTimeout: '30 seconds',
  // A message that cannot go out within a day is stale: give up and let the flow carry on.
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** How long a send is tried before it is stale and the flow carries on (as `activities` gives up). */
const SEND_GIVE_UP_MS = 24 * 3_600_000;

/**
 * Delivers a contact's message without letting a retry go out inside quiet hours. The interpreter
 * sends only outside them, but a provider that is down or rate-limiting can push the retries past
 * their start: so the retries stop there (the activity's schedule-to-close), the run sleeps until
 * the quiet hours end, and the same delivery (same idempotency key) is tried again, all within the
 * one-day budget a send has.
 */
async function deliverOutsideQuietHours(
  delivery: DeliverInput,
  summary: string,
  quiet: { start: string; end: string },
  zone: string,
  queue: { taskQueue?: string },
): Promise<DeliverResult> {
  const giveUpAt = Date.now() + SEND_GIVE_UP_MS;
  for (;;) {
    const now = Date.now();
    const quietStart = nextLocalTime(now, { time: quiet.start }, zone);
    const deadline = Math.min(giveUpAt, quietStart);
    try {
      return await activities.deliver.executeWithOptions(
        { summary, scheduleToCloseTimeout: Math.max(1000, deadline - now), ...queue },
        [delivery],
      );
    } catch (error) {
      // A failure for good, or the day's budget spent, is the flow's to handle as before.
      if (!(error instanceof ActivityFailure) || error.retryState !== 'TIMEOUT' || deadline >= giveUpAt)
        throw error;
      const quietEnd = quietHoursEnd(quietStart, quiet, zone) ?? quietStart;
      await sleep(Math.max(1, quietEnd - Date.now()));
    }
  }
}

/**
 * The journey (each step entered and left) is handed to the `recordJourney` activity: at the end
 * of the run, before it continues as new, and whenever this many steps have piled up, so the
 * activity's input stays small. Steps cost no history events until then; statistics count
 * finished journeys from these records, and who waits where now from Temporal's visibility.
 */
const JOURNEY_BATCH_STEPS = 500;

const journal = proxyActivities<SopflowActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One contact's journey through one published flow version. The interpreter decides; this shell
 * turns its commands into Temporal primitives: tasks into activities, waits into timers, and
 * signals into the events it waits for.
 */
export async function contactFlow(input: ContactFlowInput): Promise<ContactFlowResult> {
  let { plan } = input;
  const info = workflowInfo();
  let migration: { plan: Plan; mapping: NodeMapping } | null = null;
  setHandler(migrateSignal, (request) => {
    migration = request;
  });
  const inbox: Input[] = [...(input.resume?.inbox ?? [])];
  const eventIds: string[] = [...(input.resume?.eventIds ?? [])];
  /** Events the update handler waits to answer, by their input in the inbox. */
  const answering = new Map<Input, (answer: EventAnswer) => void>();
  /** Puts an event in the inbox; undefined when it was taken before. */
  const admit = (event: FlowEvent): Input | undefined => {
    if (event.id !== undefined) {
      if (eventIds.includes(event.id)) return undefined;
      eventIds.push(event.id);
      if (eventIds.length > EVENT_IDS_KEPT) eventIds.shift();
    }
    const next: Input = { type: 'event', name: event.name, payload: event.payload ?? {}, at: Date.now() };
    inbox.push(next);
    return next;
  };
  /** Answers every event still waiting for its answer (the run ends or continues as new). */
  const answerAll = async (answer: EventAnswer) => {
    for (const resolve of answering.values()) resolve(answer);
    answering.clear();
    await condition(allHandlersFinished);
  };
  setHandler(eventSignal, (event) => {
    admit(event);
  });
  setHandler(cancelSignal, (reason) => {
    inbox.push({ type: 'cancel', reason, at: Date.now() });
  });
  let step: Step = input.resume
    ? { state: input.resume.state, commands: [] }
    : start(plan, {
        contact: input.contact,
        contactRevision: input.contactRevision,
        event: input.event,
        at: Date.now(),
      });
  setHandler(runStateQuery, () => step.state);
  // Taken at once, also while a task is in flight: the interpreter keeps the newest revision,
  // so a change that raced the run's own update step cannot undo it, nor the update the change.
  setHandler(contactChangedSignal, ({ contact, revision }) => {
    const changed = advance(plan, step.state, { type: 'contact-changed', contact, revision, at: Date.now() });
    step = { state: changed.state, commands: step.commands };
  });
  // Registered once `step` exists: an update that came with the start is handled right here.
  setHandler(eventUpdate, (event) => {
    if (step.state.status === 'done') return Promise.resolve<EventAnswer>('ignored');
    const next = admit(event);
    // Busy with a step's task, the run takes the event only when the task is done.
    if (!next || step.state.awaiting?.task) return Promise.resolve<EventAnswer>('pending');
    return new Promise<EventAnswer>((resolve) => answering.set(next, resolve));
  });
  const tasks = new Map<string, TaskCommand>();
  /** Where tasks other than a welcome send go (see `tasksQueue`). */
  const elsewhere = input.tasksQueue ? { taskQueue: input.tasksQueue } : {};
  const wakeUp = () => inbox.length > 0 || migration !== null;
  let shownNode = '';
  const trail: JourneyStep[] = [];
  /**
   * Suppressed sends in the trail. Runs recorded before they were part of it handed a batch over
   * at 500 steps entered and left: counting only those keeps the batches, and so the activities
   * scheduled, where their histories have them.
   */
  let suppressedInTrail = 0;
  let journeyBatch = input.resume?.journeyBatch ?? 0;

  /** Hands the steps so far (and, at the end, the outcome) to the journey record. */
  async function recordJourney(finished?: RecordJourneyInput['finished']): Promise<void> {
    if (trail.length === 0 && !finished) return;
    // Runs started before journeys were recorded replay as they ran: without this activity.
    if (!patched('sopflow-journey')) return;
    const steps = trail.splice(0);
    suppressedInTrail = 0;
    try {
      await journal.recordJourney.executeWithOptions(
        { summary: finished ? 'record journey: ended' : 'record journey', ...elsewhere },
        [
          {
            workflowId: info.workflowId,
            runId: info.firstExecutionRunId,
            flowId: plan.flowId,
            contactId: step.state.contact.id,
            batch: journeyBatch++,
            steps,
            ...(finished ? { finished } : {}),
          },
        ],
      );
    } catch (error) {
      // Statistics are not worth failing a contact's journey for.
      if (!(error instanceof ActivityFailure)) throw error;
    }
  }

  for (;;) {
    for (const command of step.commands) {
      if ('commandId' in command) tasks.set(command.commandId, command);
      else if (command.type === 'enter')
        trail.push({ nodeId: command.nodeId, at: command.at, version: plan.version });
      else if (command.type === 'leave')
        trail.push({ nodeId: command.nodeId, exit: command.exit, at: command.at, version: plan.version });
      else if (command.type === 'suppressed') {
        const { channel, reason, until } = command;
        trail.push({
          nodeId: command.nodeId,
          suppressed: { channel, reason, ...(until === undefined ? {} : { until }) },
          at: command.at,
          version: plan.version,
        });
        suppressedInTrail++;
      }
    }
    // Each command is taken once: a loop that wakes without an input (a migration) must not take them again.
    step = { state: step.state, commands: [] };
    const { state } = step;
    if (state.status === 'done') {
      // Events left in the inbox are never taken.
      await answerAll('ignored');
      await recordJourney({
        outcome: state.outcome!,
        nodeId: state.nodeId,
        version: plan.version,
        at: Date.now(),
      });
      return { outcome: state.outcome! };
    }
    const awaiting = state.awaiting!;
    if (awaiting.nodeId !== shownNode) {
      // Only where a contact sits: passing through a step costs no history event.
      shownNode = awaiting.nodeId;
      upsertSearchAttributes([{ key: NodeKey, value: shownNode }]);
      setCurrentDetails(`At step **${plan.nodes[shownNode]?.label ?? shownNode}**`);
    }

    let next: Input;
    if (awaiting.task) {
      const command = tasks.get(awaiting.task.commandId)!;
      tasks.clear();
      next = {
        type: 'task-result',
        commandId: command.commandId,
        result: await runTask(command, state),
        at: Date.now(),
      };
    } else {
      const requested = migration as { plan: Plan; mapping: NodeMapping } | null;
      if (requested) {
        migration = null;
        const moved = migrate(requested.plan, state, requested.mapping, Date.now());
        if (moved) {
          plan = requested.plan;
          upsertSearchAttributes([{ key: FlowVersionKey, value: plan.version }]);
          step = moved;
          continue;
        }
      }
      if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_LIMIT) {
        await recordJourney();
        // A migration asked for while the journey was recorded is taken first.
        if (migration !== null) continue;
        // The inbox goes on to the next run, which takes its events.
        await answerAll('pending');
        // The state as it is now: a contact change may have come in while the journey was recorded.
        await continueAsNew<typeof contactFlow>({
          ...input,
          plan,
          resume: { state: step.state, inbox, journeyBatch, ...(eventIds.length > 0 ? { eventIds } : {}) },
        });
      }
      if (trail.length - suppressedInTrail >= JOURNEY_BATCH_STEPS) await recordJourney();
      const timeout = awaiting.timer ? awaiting.timer.until - Date.now() : undefined;
      const woke =
        wakeUp() ||
        (timeout === undefined
          ? await condition(wakeUp).then(() => true)
          : timeout > 0 && (await condition(wakeUp, timeout)));
      // Woken by a migration request alone: it is taken at the top of the loop.
      if (woke && inbox.length === 0) continue;
      next = woke
        ? inbox.shift()!
        : { type: 'timer-fired', timerId: awaiting.timer!.timerId, at: Date.now() };
    }
    step = advance(plan, step.state, next);
    const answer = answering.get(next);
    if (answer) {
      answering.delete(next);
      answer(step.eventUse ?? 'ignored');
    }
  }

  async function runTask(command: TaskCommand, state: RunState): Promise<TaskResult> {
    const node = plan.nodes[command.nodeId];
    const label = node?.label ?? command.nodeId;
    const origin: TaskOrigin = {
      idempotencyKey: `${info.workflowId}/${info.firstExecutionRunId}/${command.commandId}`,
      workflowId: info.workflowId,
      flowId: plan.flowId,
      flowName: plan.flowName,
      flowVersion: plan.version,
      nodeId: command.nodeId,
      at: command.at,
    };
    const data = renderData(plan, state);
    try {
      switch (command.type) {
        case 'send': {
          const to =
            command.recipient.kind === 'staff' ? `staff task to ${command.recipient.staff.id}` : 'send';
          const delivery: DeliverInput = {
            ...origin,
            channel: command.channel,
            message: command.message,
            recipient: command.recipient,
            data,
            cap: command.cap,
            ...(command.welcome ? { welcome: command.welcome } : {}),
          };
          const summary = `${to} via ${command.channel}: ${label}`;
          // Quiet hours hold contacts' messages only: staff notices go out at once, as in the interpreter.
          // A welcome is not held either: the customer has just added the staff member.
          const quiet =
            command.recipient.kind === 'contact' && !command.welcome ? plan.settings.quietHours : undefined;
          // A welcome send stays on the run's own queue, the welcome queue, whose slots are its own.
          const queue = command.welcome ? {} : elsewhere;
          // Runs started before retries were held out of quiet hours replay as they ran.
          const result =
            quiet && patched('sopflow-quiet-retries')
              ? await deliverOutsideQuietHours(
                  delivery,
                  summary,
                  quiet,
                  contactZone(plan, state.contact),
                  queue,
                )
              : await activities.deliver.executeWithOptions({ summary, ...queue }, [delivery]);
          if (!result.ok) return result;
          if (result.followUp) {
            // One activity whose retries are the polling: a pending answer costs no history event,
            // and giving up is its schedule-to-close timeout (the outer catch makes that a failure).
            const { everyMs, giveUpAfterMs } = result.followUp;
            const followed = await activities.followDelivery.executeWithOptions(
              {
                ...elsewhere,
                summary: `confirm ${to} via ${command.channel}: ${label}`,
                startToCloseTimeout: '1 minute',
                scheduleToCloseTimeout: giveUpAfterMs,
                retry: { initialInterval: everyMs, backoffCoefficient: 1, maximumInterval: everyMs },
              },
              [delivery],
            );
            if (!followed.delivered) return { ok: false, reason: 'failed', message: followed.message };
          }
          return { ok: true, duplicate: result.status === 'duplicate' };
        }
        case 'update-contact': {
          const { revision, ...contact } = await activities.updateContact.executeWithOptions(
            { summary: `update contact: ${label}`, ...elsewhere },
            [
              {
                ...origin,
                contactId: state.contact.id,
                update: command.update,
                zone: contactZone(plan, state.contact),
                data,
              },
            ],
          );
          return { ok: true, contact, contactRevision: revision };
        }
        case 'http': {
          const { request } = command;
          const response = await activities.httpRequest.executeWithOptions(
            {
              ...elsewhere,
              summary: `${request.method} request: ${label}`,
              startToCloseTimeout: request.timeoutMs,
              scheduleToCloseTimeout: '1 hour',
              retry: {
                initialInterval: '1 second',
                backoffCoefficient: 2,
                maximumAttempts: request.retries + 1,
              },
            },
            [
              {
                ...origin,
                method: request.method,
                url: request.url,
                headers: request.headers,
                body: request.body,
                data,
              },
            ],
          );
          return { ok: true, response };
        }
      }
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      return { ok: false, reason: 'failed', message: error.cause?.message ?? error.message };
    }
  }
}
