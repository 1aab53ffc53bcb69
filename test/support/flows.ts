/** Flow documents several test files run. */

/** A manual flow: each contact waits for `go` (a day at most), is told, and leaves. */
export const waitsForGo = (id: string, name = 'Waits for go') => ({
  schemaVersion: 1,
  id,
  name,
  nodes: [
    { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
    { id: 'hold', type: 'wait_for_event', event: 'go', timeout: 'P1D' },
    { id: 'say', type: 'send', channel: 'sms', message: { text: 'Hello {{ contact.id }}' } },
    { id: 'out', type: 'exit' },
  ],
  edges: [
    { id: 'a', source: 'in', target: 'hold' },
    { id: 'b', source: 'hold', sourceHandle: 'event', target: 'say' },
    { id: 'c', source: 'hold', sourceHandle: 'timeout', target: 'out' },
    { id: 'd', source: 'say', target: 'out' },
  ],
});

/** trigger → send → wait 10 minutes → exit: every contact ends up waiting at `pause`. */
export const waitingFlow = (id: string, name: string, text: string) => ({
  schemaVersion: 1,
  id,
  name,
  nodes: [
    {
      id: 'joined',
      type: 'trigger',
      label: 'Member joined',
      position: { x: 0, y: 0 },
      trigger: { kind: 'webhook', event: 'member.joined' },
    },
    {
      id: 'greet',
      type: 'send',
      label: 'Greet',
      position: { x: 0, y: 120 },
      channel: 'wechat',
      message: { text },
    },
    { id: 'pause', type: 'wait', label: 'Wait 10 minutes', position: { x: 0, y: 240 }, duration: 'PT10M' },
    { id: 'done', type: 'exit', label: 'Done', position: { x: 0, y: 360 } },
  ],
  edges: [
    { id: 'e1', source: 'joined', target: 'greet' },
    { id: 'e2', source: 'greet', target: 'pause' },
    { id: 'e3', source: 'pause', target: 'done' },
  ],
  settings: {},
});

/** An edge of a flow document, from `source`'s exit (`next` unless named) to `target`. */
export const edge = (source: string, target: string, sourceHandle = 'next') => ({
  id: `${source}-${sourceHandle}-${target}`,
  source,
  sourceHandle,
  target,
});

/** A webhook flow that sends one message on `channel` and leaves, by either exit of the send. */
export const sendsOnce = (id: string, channel: string, message: Record<string, unknown>) => ({
  schemaVersion: 1,
  id,
  name: id,
  nodes: [
    { id: 'in', type: 'trigger', trigger: { kind: 'webhook' } },
    { id: 'send', type: 'send', channel, message },
    { id: 'out', type: 'exit' },
  ],
  edges: [edge('in', 'send'), edge('send', 'out'), edge('send', 'out', 'failed')],
});
