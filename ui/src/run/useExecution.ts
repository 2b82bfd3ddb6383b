// One execution, kept live while it runs: the stored state first, then the server's event stream.

import { useEffect, useState } from 'react';
import { api } from '../api';
import type { ExecutionDetail, LogEntry, OrderRecord, Step } from '../types';

const LIVE = new Set(['queued', 'running']);

export interface LiveExecution {
  detail: ExecutionDetail | null;
  running: ReadonlySet<string>;
  error: string | null;
  live: boolean;
}

export function useExecution(executionId: string | undefined): LiveExecution & { reload: () => void } {
  const [detail, setDetail] = useState<ExecutionDetail | null>(null);
  const [running, setRunning] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    setDetail(null);
    setRunning(new Set());
    setError(null);
    if (!executionId) return;
    let closed = false;
    let source: EventSource | null = null;
    const refetch = () => api.execution(executionId).then((d) => !closed && setDetail(d), () => {});
    api.execution(executionId).then((d) => {
      if (closed) return;
      setDetail(d);
      if (!LIVE.has(d.status)) return;
      source = new EventSource(api.eventsUrl(executionId));
      setLive(true);
      const on = <T,>(type: string, fn: (data: T) => void) => source!.addEventListener(type, (ev) => fn(JSON.parse((ev as MessageEvent<string>).data) as T));
      on<ExecutionDetail>('snapshot', (d2) => setDetail(d2));
      on<{ nodeId: string }>('step_started', (e) => setRunning((s) => new Set(s).add(e.nodeId)));
      on<{ step: Step }>('step_finished', ({ step }) => {
        setRunning((s) => {
          const next = new Set(s);
          next.delete(step.nodeId);
          return next;
        });
        setDetail((d2) => d2 && { ...d2, status: 'running', steps: [...d2.steps.filter((x) => x.seq !== step.seq), step].sort((a, b) => a.seq - b.seq) });
      });
      on<{ entry: LogEntry }>('log', ({ entry }) => setDetail((d2) => d2 && { ...d2, logs: [...d2.logs, entry] }));
      on<{ order: OrderRecord }>('order', ({ order }) => setDetail((d2) => d2 && { ...d2, orders: [...d2.orders.filter((o) => o.key !== order.key), order] }));
      const finish = () => {
        source?.close();
        setLive(false);
        setRunning(new Set());
        refetch();
      };
      on('run_finished', finish);
      on('end', finish);
      source.onerror = () => {
        // The stream ends when the run does; a dropped stream falls back to one reload.
        if (source?.readyState === EventSource.CLOSED) finish();
      };
    }, (e: Error) => !closed && setError(e.message));
    return () => {
      closed = true;
      source?.close();
      setLive(false);
    };
  }, [executionId, tick]);

  return { detail, running, error, live, reload: () => setTick((t) => t + 1) };
}
