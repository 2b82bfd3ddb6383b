// What crosses processes besides the jobs (DESIGN.md §9), over the notify bus:
// - live run events: a process sends the events of a run only while some process has a viewer on
//   it (viewers announce what they watch, again every few seconds), and every run's end always, so
//   a viewer in any process closes when the run ends wherever it ran;
// - the kill switch: a change reaches every process at once, and each re-reads the stored value
//   every few seconds in case a message was missed while its connection was down;
// - workflow changes: each process drops what it cached of that workflow (webhook route, settings,
//   compiled versions) and the trigger holder re-arms its triggers.

import type { EventEmitter } from 'node:events';
import type { RunEvent } from '../engine/types.js';
import { CHANNELS } from './index.js';
import type { NotifyBus } from './bus.js';

/** A viewer renews its interest this often; a process forgets an interest not renewed for 3 times as long. */
const WATCH_RENEW_MS = 5_000;

interface EventMessage {
  w: string;
  e: RunEvent;
}

/**
 * Relays live run events between processes. `events` is the execution service's emitter: local
 * events are read from it, and other processes' events are emitted into it with a third argument
 * 'remote' (metrics count local runs only).
 */
export class EventRelay {
  /** Execution ids some process watches → when that interest lapses. */
  private readonly watched = new Map<string, number>();
  private readonly mine = new Map<string, number>();
  private renew: NodeJS.Timeout;
  private readonly offs: Array<() => void> = [];

  constructor(private readonly bus: NotifyBus, private readonly events: EventEmitter) {
    const local = (workflowId: string, e: RunEvent, origin?: string) => {
      if (origin === 'remote') return;
      if (e.type === 'run_finished') {
        // Every run's end, without its result's data: viewers only need its status and error.
        bus.publish(CHANNELS.events, { w: workflowId, e: slim(e) } satisfies EventMessage);
        return;
      }
      if (!this.isWatched(e.executionId)) return;
      if (!bus.publish(CHANNELS.events, { w: workflowId, e } satisfies EventMessage)) {
        // Too large for one notification: the viewer gets the event without its data and reads the stored run.
        bus.publish(CHANNELS.events, { w: workflowId, e: slim(e) } satisfies EventMessage);
      }
    };
    events.on('event', local);
    this.offs.push(() => events.off('event', local));
    this.offs.push(bus.subscribe(CHANNELS.events, (m) => {
      const { w, e } = m as EventMessage;
      events.emit('event', w, e, 'remote');
    }));
    this.offs.push(bus.subscribe(`${CHANNELS.events}_watch`, (m) => {
      for (const id of m as string[]) this.watched.set(id, Date.now() + 3 * WATCH_RENEW_MS);
    }));
    this.renew = setInterval(() => {
      const now = Date.now();
      for (const [id, until] of this.watched) if (until < now) this.watched.delete(id);
      if (this.mine.size > 0) bus.publish(`${CHANNELS.events}_watch`, [...this.mine.keys()]);
    }, WATCH_RENEW_MS);
    this.renew.unref();
  }

  /** A viewer here follows `executionId`: other processes send its events until the returned function is called. */
  watch(executionId: string): () => void {
    this.mine.set(executionId, (this.mine.get(executionId) ?? 0) + 1);
    this.bus.publish(`${CHANNELS.events}_watch`, [executionId]);
    return () => {
      const n = (this.mine.get(executionId) ?? 1) - 1;
      if (n > 0) this.mine.set(executionId, n);
      else this.mine.delete(executionId);
    };
  }

  stop(): void {
    clearInterval(this.renew);
    for (const off of this.offs) off();
  }

  private isWatched(executionId: string): boolean {
    const until = this.watched.get(executionId);
    return until !== undefined && until >= Date.now();
  }
}

/** An event without its bulky data (inputs, outputs, the run's result beyond its status). */
function slim(e: RunEvent): RunEvent {
  const base = e as unknown as Record<string, unknown>;
  if (e.type === 'run_finished') {
    const r = e.result;
    return { ...e, result: { ...r, steps: [], variables: {}, orders: [], logs: [] } } as RunEvent;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(base)) out[k] = typeof v === 'object' && v !== null ? { truncated: true } : v;
  return out as unknown as RunEvent;
}

/** Keeps this process's kill switch in step with the others'. */
export function relayKillSwitch(bus: NotifyBus, opts: {
  /** Applies a value learned from another process (no store write, no broadcast). */
  apply: (on: boolean) => void;
  /** The stored value (re-read every few seconds). */
  read: () => Promise<boolean>;
}): { announce: (on: boolean) => void; stop: () => void } {
  const off = bus.subscribe(CHANNELS.killSwitch, (m) => opts.apply((m as { on: boolean }).on));
  const timer = setInterval(() => {
    opts.read().then(opts.apply, () => {});
  }, 3_000);
  timer.unref();
  return {
    announce: (on) => void bus.publish(CHANNELS.killSwitch, { on }),
    stop: () => {
      clearInterval(timer);
      off();
    },
  };
}

/** Tells the other processes a workflow changed, and hears of their changes. */
export function relayWorkflowChanges(bus: NotifyBus, onChange: (workflowId: string) => void): { announce: (workflowId: string) => void; stop: () => void } {
  const off = bus.subscribe(CHANNELS.workflows, (m) => onChange((m as { workflowId: string }).workflowId));
  return { announce: (workflowId) => void bus.publish(CHANNELS.workflows, { workflowId }), stop: off };
}
