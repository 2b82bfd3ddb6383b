// Wraps a Broker so that every order call is guarded, recorded as an intent before it is sent,
// carries a client order key, and has its answer (or unknown outcome) recorded after.

import { decorateBroker } from '../broker/decorate.js';
import { BrokerError, ORDER_METHODS, type Broker, type CallOptions } from '../broker/types.js';
import { redact } from './redact.js';
import type { IntentStage, OrderGuard, OrderRecord, RunHooks } from './types.js';

export class OrderRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderRefused';
  }
}

export interface OrderTracking {
  executionId: string;
  /** The node currently running (the walk is sequential, so one at a time). */
  currentNode(): string;
  hooks: RunHooks;
  guard?: OrderGuard;
  orders: OrderRecord[];
}

const settle = async (r: void | Promise<void>) => {
  if (r && typeof (r as Promise<void>).then === 'function') await r;
};

function orderIdsOf(answer: Record<string, unknown>): string[] {
  const ids: string[] = [];
  if (typeof answer.orderid === 'string' || typeof answer.orderid === 'number') ids.push(String(answer.orderid));
  if (Array.isArray(answer.results)) {
    for (const r of answer.results as Array<Record<string, unknown>>) {
      if (r && (typeof r.orderid === 'string' || typeof r.orderid === 'number')) ids.push(String(r.orderid));
    }
  }
  return ids;
}

/** A request that never left Flow (cancelled while queued, no connection) is `not_sent`; one the broker refused is `rejected`. */
function notSentStatus(e: BrokerError): 'not_sent' | 'rejected' {
  return e.code === 'aborted' || e.code === 'network' ? 'not_sent' : 'rejected';
}

/** Returns a Broker whose order methods are tracked; every other call passes straight through. */
export function trackOrders(broker: Broker, t: OrderTracking): Broker {
  const perNode = new Map<string, number>();
  return decorateBroker(broker, ORDER_METHODS, (method, original) => async (req: Record<string, unknown>, opts: CallOptions = {}) => {
    const nodeId = t.currentNode();
    const n = (perNode.get(nodeId) ?? 0) + 1;
    perNode.set(nodeId, n);
    const request = redact(req);
    if (t.guard) {
      const refusal = await t.guard({ method, request, nodeId, ordersThisRun: t.orders.length });
      if (refusal) throw new OrderRefused(refusal);
    }
    const record: OrderRecord = {
      key: `${t.executionId}.${nodeId}.${n}`,
      nodeId, method, request, status: 'sent', orderIds: [], createdAt: new Date().toISOString(),
    };
    t.orders.push(record);
    // Durable before the request can reach the broker: if recording throws, nothing is sent.
    let unrecorded: Error | undefined;
    const durably = async (write: () => void | Promise<void>) => {
      try {
        await settle(write());
      } catch (e) {
        unrecorded = e as Error;
        throw e;
      }
    };
    const recordIntent = async (stage: IntentStage) => {
      await durably(() => t.hooks.orderIntent?.(record, stage));
      t.hooks.onEvent?.({ type: 'order', executionId: t.executionId, order: record });
    };
    let callOpts: CallOptions = { ...opts, clientOrderKey: record.key };
    if (broker.announcesSends === true) {
      // A broker that queues orders says when one waits and when it leaves: an intent that waits is
      // recorded as waiting first, so a crash during the wait leaves it `not_sent`, not `unknown`.
      let waited = false;
      callOpts = {
        ...callOpts,
        onQueued: () => {
          waited = true;
          return recordIntent('waiting');
        },
        beforeSend: () => (waited ? durably(() => t.hooks.orderSending?.(record)) : recordIntent('sending')),
      };
    } else {
      await recordIntent('sending');
    }
    try {
      const answer = await original(req, callOpts);
      record.answer = answer;
      record.status = answer.status === 'success' ? 'accepted' : 'rejected';
      if (answer.status !== 'success') record.error = typeof answer.message === 'string' ? answer.message : 'rejected by the broker';
      record.orderIds = orderIdsOf(answer);
      return answer;
    } catch (e) {
      const err = e as Error;
      if (unrecorded) {
        // The intent could not be made durable, so the request was never written.
        record.status = 'not_sent';
        record.error = `${method} not sent: the order could not be recorded (${unrecorded.message})`;
        throw new Error(record.error);
      }
      // Only a call known not to have reached the broker is a plain failure; anything else may
      // have placed the order, so it is unknown and must never be re-sent automatically.
      record.status = e instanceof BrokerError && e.outcome === 'not_sent' ? notSentStatus(e) : 'unknown';
      record.error = record.status === 'unknown' && !/unknown/i.test(err.message)
        ? `${method} outcome unknown: ${err.message}; check the order book before placing it again`
        : err.message;
      throw record.status === 'unknown' ? new Error(record.error) : e;
    } finally {
      record.answeredAt = new Date().toISOString();
      await settle(t.hooks.orderResolved?.(record));
      t.hooks.onEvent?.({ type: 'order', executionId: t.executionId, order: record });
    }
  });
}
