// Triggers in a cluster (DESIGN.md §9): only the process holding the trigger lock registers
// schedules, price alerts and order watches; the others check a workflow's trigger nodes at
// activation (the same problems, nothing armed) and leave the firing to the holder. On taking the
// lock a process registers every active workflow (restore, which catches up a schedule missed by
// under 60 s from its recorded last run); on losing it, it drops everything it had armed, keeping
// the schedule rows the next holder resumes from.

import type { WorkflowNode } from '../workflow/schema.js';
import type { TriggerHub } from '../runtime/trigger-hub.js';
import type { TriggerRegistry } from '../runtime/workflows.js';
import type { Calendar } from '../market/calendar.js';
import { orderWatchFromNode } from '../triggers/order-watcher.js';
import { priceAlertFromNode } from '../triggers/price-monitor.js';
import { parseSchedule } from '../triggers/schedule.js';

type Problem = { nodeId: string; field: string; message: string };

/** The problems TriggerHub.register would answer for these nodes, without registering anything. */
export function checkTriggerNodes(workflowId: string, nodes: readonly WorkflowNode[], opts: { timezone: string; calendar?: Calendar }): Problem[] {
  const problems: Problem[] = [];
  const add = (nodeId: string, list: Array<{ field: string; message: string }>) => problems.push(...list.map((p) => ({ nodeId, ...p })));
  for (const node of nodes) {
    const d = node.data;
    if (node.type === 'start') {
      const parsed = parseSchedule(d, { timezone: opts.timezone, calendar: opts.calendar });
      if (!parsed.ok) add(node.id, parsed.problems);
    } else if (node.type === 'priceAlert') {
      const parsed = priceAlertFromNode({ workflowId, nodeId: node.id }, d);
      if (!parsed.ok) add(node.id, parsed.problems);
    } else if (node.type === 'orderUpdateTrigger') {
      const parsed = orderWatchFromNode({ workflowId, nodeId: node.id }, d);
      if (!parsed.ok) add(node.id, parsed.problems);
    }
  }
  return problems;
}

export class LeaderTriggers implements TriggerRegistry {
  private leader = false;
  /** Workflows armed in the hub while this process holds the lock. */
  private readonly armed = new Set<string>();

  constructor(private readonly hub: TriggerHub, private readonly opts: { timezone: string; calendar?: Calendar }) {}

  get isLeader(): boolean {
    return this.leader;
  }

  async register(workflowId: string, nodes: readonly WorkflowNode[], o: { lastRunAt?: number | null }): Promise<Problem[]> {
    if (!this.leader) return checkTriggerNodes(workflowId, nodes, this.opts);
    const problems = await this.hub.register(workflowId, nodes, o);
    if (problems.length === 0) this.armed.add(workflowId);
    return problems;
  }

  async unregister(workflowId: string): Promise<void> {
    this.armed.delete(workflowId);
    // The holder keeps the schedule rows true; a process without the lock has armed nothing.
    if (this.leader) await this.hub.unregister(workflowId);
  }

  /** Took the lock: arm every active workflow (`restore` registers them through this registry), then start. */
  async lead(restore: () => Promise<unknown> | unknown): Promise<void> {
    this.leader = true;
    await restore();
    if (this.leader) this.hub.start();
  }

  /** Lost the lock (or stopping): disarm everything now, leaving the stored schedules for the next holder. */
  follow(): void {
    this.leader = false;
    this.hub.stop();
    for (const workflowId of this.armed) {
      this.hub.scheduler.remove(workflowId);
      this.hub.prices.remove(workflowId);
      this.hub.orders.remove(workflowId);
    }
    this.armed.clear();
  }
}
