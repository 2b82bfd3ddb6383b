// The trigger hub: registers an active workflow's trigger nodes with the scheduler, the price
// monitor and the order watcher, and turns their fires into execution requests.

import type { Broker } from '../broker/types.js';
import type { TriggerInfo } from '../engine/types.js';
import type { ScheduleInput, Store } from '../store/types.js';
import type { Calendar } from '../triggers/calendar.js';
import { OrderWatcher, orderWatchFromNode } from '../triggers/order-watcher.js';
import { PriceMonitor, priceAlertFromNode } from '../triggers/price-monitor.js';
import { Scheduler } from '../triggers/scheduler.js';
import { streamOf, type MarketStream, type StreamStats } from '../stream/types.js';
import type { WorkflowNode } from '../workflow/schema.js';
import type { TriggerRegistry } from './workflows.js';

/** Where fired triggers go (the workflow manager): connected once it exists, before any trigger is registered. */
export interface TriggerSink {
  /** A trigger fired: queue a run of the workflow's active version; what it returns settles when that run has ended. */
  fire(workflowId: string, trigger: TriggerInfo): PromiseLike<unknown> | void;
  /** A `once` price alert or order watch fired: the workflow is deactivated after its run is queued. */
  retire(workflowId: string, reason: string): void;
}

export interface TriggerHubOptions {
  broker: Broker;
  store: Store;
  timezone: string;
  calendar?: Calendar;
  now?: () => Date;
  priceTickMs?: number;
  orderPollMs?: number;
  /** The live stream; default the broker's own (OpenAlgo's WebSocket, the paper market in-process); null: poll only. */
  stream?: MarketStream | null;
  logger?: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
}


export class TriggerHub implements TriggerRegistry {
  readonly scheduler: Scheduler;
  readonly prices: PriceMonitor;
  readonly orders: OrderWatcher;
  readonly stream: MarketStream | undefined;
  /** Parsed schedule specs, kept so a fire can record its last run next to its spec. */
  private readonly specs = new Map<string, unknown>();
  /** Workflows with a price-alert run queued or running (see firePrice). */
  private readonly pricePending = new Set<string>();
  /** Price-alert ticks dropped because the workflow's previous price run had not ended. */
  priceCoalesced = 0;
  private sink: TriggerSink | null = null;

  constructor(private readonly opts: TriggerHubOptions) {
    const onError = (err: unknown, context: unknown) => opts.logger?.error({ err: (err as Error)?.message ?? String(err), context }, 'trigger error');
    const fire = (workflowId: string, trigger: TriggerInfo) => {
      if (this.sink) return this.sink.fire(workflowId, trigger);
      onError(new Error('a trigger fired before the hub was connected'), { workflowId });
    };
    const retire = (workflowId: string, reason: string) => this.sink?.retire(workflowId, reason);
    this.scheduler = new Scheduler({
      timezone: opts.timezone, calendar: opts.calendar, now: opts.now,
      onFire: (job) => {
        const next = this.scheduler.list().find((j) => j.workflowId === job.workflowId && j.nodeId === job.nodeId)?.nextRun ?? null;
        // The last run is bookkeeping for the next start (a run missed while down); the fire does not wait for it.
        opts.store.upsertSchedule({
          workflowId: job.workflowId, nodeId: job.nodeId, spec: this.specs.get(`${job.workflowId}/${job.nodeId}`) ?? null,
          nextRunAt: next?.getTime() ?? null, lastRunAt: job.scheduledFor.getTime(),
        }).catch((e) => onError(e, job));
        fire(job.workflowId, { kind: 'schedule', nodeId: job.nodeId, payload: { scheduled_for: job.scheduledFor.toISOString(), late: job.late } });
      },
      onMissed: (m) => {
        opts.store.recordMissedRun({ workflowId: m.workflowId, nodeId: m.nodeId, scheduledFor: m.scheduledFor.getTime(), nextRunAt: null })
          .catch((e) => onError(e, m));
        opts.logger?.warn({ workflowId: m.workflowId, nodeId: m.nodeId, missed: m.count, at: m.scheduledFor.toISOString() }, 'scheduled run missed (more than 60 s late); recorded, not run');
      },
      onError: (err, job) => onError(err, job),
    });
    this.stream = opts.stream === null ? undefined : (opts.stream ?? streamOf(opts.broker));
    this.prices = new PriceMonitor({
      broker: opts.broker, stream: this.stream, tickMs: opts.priceTickMs, now: opts.now, timezone: opts.timezone,
      onFire: (alert, payload) => this.firePrice(alert.workflowId, { kind: 'price', nodeId: alert.nodeId, payload: { ...payload } }),
      onRetire: (alert, reason) => {
        if (reason === 'fired') retire(alert.workflowId, `price alert ${alert.nodeId} fired once`);
        if (reason === 'expired') retire(alert.workflowId, `price alert ${alert.nodeId} expired`);
      },
      onError,
    });
    this.orders = new OrderWatcher({
      broker: opts.broker, pollMs: opts.orderPollMs, stream: this.stream, now: opts.now, timezone: opts.timezone,
      onFire: (watch, payload) => fire(watch.workflowId, { kind: 'orderUpdate', nodeId: watch.nodeId, payload: { ...payload } }),
      onRetire: (watch) => retire(watch.workflowId, `order update trigger ${watch.nodeId} fired once`),
      onError,
    });
  }

  /** Connects the hub to where its fires go; once, before triggers are registered. */
  connect(sink: TriggerSink): void {
    this.sink = sink;
  }

  async register(workflowId: string, nodes: readonly WorkflowNode[], { lastRunAt }: { lastRunAt?: number | null }) {
    const problems: Array<{ nodeId: string; field: string; message: string }> = [];
    const add = (nodeId: string, list: Array<{ field: string; message: string }>) => problems.push(...list.map((p) => ({ nodeId, ...p })));
    const pending: Array<() => void> = [];
    const schedules: ScheduleInput[] = [];
    for (const node of nodes) {
      const d = node.data;
      if (node.type === 'start') {
        const result = this.scheduler.addNode(workflowId, node.id, d, { lastRunAt: lastRunAt ? new Date(lastRunAt) : null });
        if (!result.ok) add(node.id, result.problems);
        else {
          this.specs.set(`${workflowId}/${node.id}`, result.spec);
          schedules.push({ workflowId, nodeId: node.id, spec: result.spec, nextRunAt: result.nextRun?.getTime() ?? null });
        }
      } else if (node.type === 'priceAlert') {
        const parsed = priceAlertFromNode({ workflowId, nodeId: node.id }, d);
        if (!parsed.ok) add(node.id, parsed.problems);
        else pending.push(() => this.prices.add(parsed.alert));
      } else if (node.type === 'orderUpdateTrigger') {
        const parsed = orderWatchFromNode({ workflowId, nodeId: node.id }, d);
        if (!parsed.ok) add(node.id, parsed.problems);
        else pending.push(() => this.orders.add(parsed.watch));
      }
    }
    if (problems.length) {
      await this.unregister(workflowId);
      return problems;
    }
    for (const go of pending) go();
    for (const schedule of schedules) await this.opts.store.upsertSchedule(schedule);
    return problems;
  }

  async unregister(workflowId: string): Promise<void> {
    this.scheduler.remove(workflowId);
    this.prices.remove(workflowId);
    this.orders.remove(workflowId);
    for (const key of this.specs.keys()) if (key.startsWith(`${workflowId}/`)) this.specs.delete(key);
    await this.opts.store.deleteSchedulesFor(workflowId);
  }

  /**
   * At most one price-alert run of a workflow queued or running, as OpenAlgo's price monitor: an
   * `every_time` alert on live ticks would otherwise queue one run (and one order) per tick, to be
   * placed long after the price that caused it. A tick while one is pending is dropped and counted.
   */
  private firePrice(workflowId: string, trigger: TriggerInfo): void {
    if (this.pricePending.has(workflowId)) {
      this.priceCoalesced++;
      return;
    }
    const ended = this.sink?.fire(workflowId, trigger);
    if (!ended) return;
    this.pricePending.add(workflowId);
    const clear = () => this.pricePending.delete(workflowId);
    ended.then(clear, clear);
  }

  /** For health and metrics: the stream's state and counters, and which source alerts and order watches use now. */
  streamStatus(): { stream: StreamStats | null; prices: ReturnType<PriceMonitor['status']> & { heldBack: number }; orders: { source: OrderWatcher['source']; watches: number } } {
    return {
      stream: this.stream?.stats() ?? null,
      prices: { ...this.prices.status(), heldBack: this.priceCoalesced },
      orders: { source: this.orders.source, watches: this.orders.list().length },
    };
  }

  start(): void {
    this.prices.start();
    this.orders.start();
  }

  stop(): void {
    this.scheduler.stop();
    this.prices.stop();
    this.orders.stop();
  }
}
