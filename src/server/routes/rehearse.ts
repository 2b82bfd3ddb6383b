// POST /api/workflows/:id/rehearse (DESIGN.md §8): the workflow's draft replayed on past market days
// (body {from, to, alerts?, capital?, slippageBps?, charges?}). Nothing of it reaches the store or
// the live broker: the rehearsal has its own paper account, and its runs live only in the answer.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FlowError, notFound } from '../../errors.js';
import { DEFAULT_TIMEZONE } from '../../market/clock.js';
import {
  AlertsError, candleSourceFor, CandleError, PaperCandles, parseAlerts, parseAlertTime, rehearse, RehearseError, type PastAlert,
} from '../../rehearse/index.js';
import { validateWorkflow } from '../../workflow/index.js';
import type { ApiDeps } from '../api.js';
import { idParams } from './schemas.js';

const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const rehearseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: {
    from: date,
    to: date,
    /** The file's text (TradingView's CSV export or JSON lines), or the alerts as a list. */
    alerts: {
      anyOf: [
        { type: 'string', maxLength: 1_000_000 },
        { type: 'array', maxItems: 10_000, items: { type: 'object', required: ['time', 'payload'], properties: { time: { anyOf: [{ type: 'string' }, { type: 'number' }] }, payload: { type: 'object' } } } },
      ],
    },
    capital: { type: 'number', exclusiveMinimum: 0, maximum: 1e12 },
    slippageBps: { type: 'number', minimum: 0, maximum: 1000 },
    charges: { type: 'string', enum: ['auto', 'none'] },
  },
} as const;

interface RehearseBody {
  from: string;
  to: string;
  alerts?: string | Array<{ time: string | number; payload: Record<string, unknown> }>;
  capital?: number;
  slippageBps?: number;
  charges?: 'auto' | 'none';
}

export async function rehearseRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const timezone = deps.rehearse?.timezone ?? DEFAULT_TIMEZONE;
  // One at a time: a rehearsal is CPU work on the server that also trades.
  let running = false;

  app.post('/workflows/:id/rehearse', { schema: { params: idParams, body: rehearseBody } }, async (req: FastifyRequest<{ Params: { id: string }; Body: RehearseBody }>) => {
    const wf = await deps.store.getWorkflow(req.params.id);
    if (!wf) throw notFound('workflow', req.params.id);
    const v = validateWorkflow(wf.definition, deps.registry);
    if (!v.valid || !v.workflow) {
      const errors = v.problems.filter((p) => p.severity === 'error');
      throw new FlowError('invalid_workflow', `workflow ${wf.id} cannot be rehearsed: ${errors.slice(0, 3).map((p) => p.message).join('; ')}`, 422, { problems: v.problems });
    }
    const body = req.body;
    let alerts: PastAlert[] = [];
    try {
      if (typeof body.alerts === 'string') alerts = parseAlerts(body.alerts, timezone);
      else if (Array.isArray(body.alerts)) {
        alerts = body.alerts.map((a, i) => {
          const at = parseAlertTime(a.time, timezone);
          if (at === null) throw new AlertsError(`alerts[${i}].time '${a.time}' is not a date-time`);
          return { at, payload: a.payload };
        }).sort((a, b) => a.at - b.at);
      }
    } catch (e) {
      if (e instanceof AlertsError) throw new FlowError('invalid_alerts', e.message, 400);
      throw e;
    }
    if (running) throw new FlowError('rehearsal_running', 'a rehearsal is already running on this server; try again when it has finished', 409);
    running = true;
    try {
      const source = deps.rehearse ? candleSourceFor(deps.broker, deps.rehearse.dataDir, timezone) : new PaperCandles();
      const report = await rehearse({
        workflow: v.workflow, from: body.from, to: body.to, alerts, capital: body.capital, slippageBps: body.slippageBps,
        charges: body.charges, source, timezone, registry: deps.registry,
      });
      return { workflowId: wf.id, ...report };
    } catch (e) {
      if (e instanceof RehearseError) throw new FlowError('invalid_rehearsal', e.message, 400);
      if (e instanceof CandleError) throw new FlowError('prices_unavailable', e.message, 502);
      throw e;
    } finally {
      running = false;
    }
  });
}
