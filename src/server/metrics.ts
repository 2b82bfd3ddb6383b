// Prometheus metrics (GET /metrics): executions by status, step durations, broker latency and
// errors, webhook answers by code, queue depth.

import client from 'prom-client';
import { decorateBroker } from '../broker/decorate.js';
import { ENDPOINTS, type Broker, type BrokerMethod } from '../broker/types.js';
import type { RunEvent } from '../engine/types.js';

export interface Metrics {
  registry: client.Registry;
  executionFinished(status: string): void;
  stepFinished(type: string, status: string, ms: number): void;
  brokerCall(endpoint: string, ms: number, ok: boolean): void;
  webhookAnswered(code: number): void;
  observe(event: RunEvent): void;
}

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'flow_' });
  const executions = new client.Counter({ name: 'flow_executions_total', help: 'Executions finished, by status', labelNames: ['status'], registers: [registry] });
  const steps = new client.Histogram({
    name: 'flow_step_duration_seconds', help: 'Node run time, by node type and status', labelNames: ['type', 'status'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: [registry],
  });
  const broker = new client.Histogram({
    name: 'flow_broker_call_seconds', help: 'Broker call latency, by endpoint', labelNames: ['endpoint'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10], registers: [registry],
  });
  const brokerErrors = new client.Counter({ name: 'flow_broker_errors_total', help: 'Broker calls that failed or answered an error', labelNames: ['endpoint'], registers: [registry] });
  const webhooks = new client.Counter({ name: 'flow_webhook_responses_total', help: 'Webhook answers, by HTTP status', labelNames: ['code'], registers: [registry] });

  const metrics: Metrics = {
    registry,
    executionFinished: (status) => executions.inc({ status }),
    stepFinished: (type, status, ms) => steps.observe({ type, status }, ms / 1000),
    brokerCall: (endpoint, ms, ok) => {
      broker.observe({ endpoint }, ms / 1000);
      if (!ok) brokerErrors.inc({ endpoint });
    },
    webhookAnswered: (code) => webhooks.inc({ code: String(code) }),
    observe(e) {
      if (e.type === 'step_finished' && e.step.status !== 'skipped') metrics.stepFinished(e.step.type, e.step.status, e.step.durationMs ?? 0);
      else if (e.type === 'run_finished') metrics.executionFinished(e.result.status);
    },
  };
  return metrics;
}

/** Wraps every Broker method to time it (for brokers that do not report their own calls). */
export function instrumentBroker(inner: Broker, metrics: Metrics): Broker {
  return decorateBroker(inner, Object.keys(ENDPOINTS) as BrokerMethod[], (method, original) => async (...args: unknown[]) => {
    const started = performance.now();
    let ok = false;
    try {
      const answer = await original(...args);
      ok = answer?.status === 'success';
      return answer;
    } finally {
      metrics.brokerCall(ENDPOINTS[method], performance.now() - started, ok);
    }
  });
}

/** Queue gauges, read from the execution service when scraped. */
export function registerQueueMetrics(registry: client.Registry, service: { readonly depth: number; readonly runningCount: number }): void {
  new client.Gauge({ name: 'flow_queue_depth', help: 'Executions waiting or running', registers: [registry], collect() { this.set(service.depth); } });
  new client.Gauge({ name: 'flow_executions_running', help: 'Executions running now', registers: [registry], collect() { this.set(service.runningCount); } });
}

/** What the trigger hub reports about the live stream (TriggerHub.streamStatus). */
export interface StreamStatusSource {
  stream: { state: string; reconnects: number; ticks: number; orderUpdates: number; badFrames: number; errorFrames: number; symbolErrors: number; stalls: number } | null;
  prices: { alerts: Record<'stream' | 'poll', number>; fires?: number; heldBack?: number };
  orders: { source: string; watches: number };
}

/** Stream gauges, read when scraped: whether it is live, which source price alerts use, its frame counts. */
export function registerStreamMetrics(registry: client.Registry, status: () => StreamStatusSource): void {
  new client.Gauge({ name: 'flow_stream_live', help: '1 while the market stream is live, 0 while alerts poll', registers: [registry], collect() { this.set(status().stream?.state === 'live' ? 1 : 0); } });
  new client.Gauge({
    name: 'flow_price_alerts', help: 'Active price alerts, by the source of their prices now (stream or poll)', labelNames: ['source'], registers: [registry],
    collect() {
      const s = status().prices.alerts;
      this.set({ source: 'stream' }, s.stream);
      this.set({ source: 'poll' }, s.poll);
    },
  });
  new client.Gauge({
    name: 'flow_price_alert_fires', help: 'Price alerts fired since start (a fire while the workflow\'s previous price run is still going is held back)', registers: [registry],
    collect() { this.set(status().prices.fires ?? 0); },
  });
  new client.Gauge({
    name: 'flow_price_alert_fires_held_back', help: 'Price-alert fires dropped because the workflow\'s previous price run had not ended', registers: [registry],
    collect() { this.set(status().prices.heldBack ?? 0); },
  });
  new client.Gauge({
    name: 'flow_stream_frames', help: 'Stream frames since start, by kind (tick, order_update, bad, error, symbol_error), and reconnects and stalls', labelNames: ['kind'], registers: [registry],
    collect() {
      const s = status().stream;
      if (!s) return;
      const kinds = { tick: s.ticks, order_update: s.orderUpdates, bad: s.badFrames, error: s.errorFrames, symbol_error: s.symbolErrors, reconnect: s.reconnects, stall: s.stalls };
      for (const [kind, n] of Object.entries(kinds)) this.set({ kind }, n);
    },
  });
}
