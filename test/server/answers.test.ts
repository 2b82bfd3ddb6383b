// The /api answers are serialized with schemas generated from src/contract/api.ts. A serializer
// drops what its schema does not know and coerces what it types, so each answer here is compared
// with the server's own presentation of the same stored rows: nothing lost, nothing changed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue, defaultRegistry } from '../../src/nodes/registry.js';
import { presentExecution, presentListItem, presentSummary, presentWorkflow } from '../../src/server/present.js';
import { node, startTestFlow, type TestFlow } from './helpers.js';

const json = (v: unknown) => JSON.parse(JSON.stringify(v));

let flow: TestFlow;
beforeAll(async () => {
  flow = await startTestFlow();
});
afterAll(() => flow.stop());

describe('answers keep every key the server presents', () => {
  it('workflows (with UI-only keys the editor stores), runs with steps, logs, orders and notes, the catalogue', async () => {
    const definition = {
      name: 'answers',
      description: 'all shapes',
      nodes: [
        { ...node('hook', 'webhookTrigger', { label: 'TV', uiColour: 'teal' }), selected: true, measured: { width: 180, height: 40 } },
        node('buy', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: '2.5', priceType: 'MARKET', product: 'MIS', outputVariable: 'order' }, 100),
        node('say', 'log', { message: 'order {{order.orderid}} then {{missing.ref}}' }, 200),
        node('tell', 'telegramAlert', { message: 'bought', onError: 'continue' }, 300),
      ],
      edges: [
        { id: 'e1', source: 'hook', target: 'buy', animated: true },
        { id: 'e2', source: 'buy', target: 'say', sourceHandle: null },
        { id: 'e3', source: 'say', target: 'tell' },
      ],
      viewport: { x: 10, y: 20, zoom: 1.5 },
    };
    const created = await flow.api('POST', '/api/workflows', definition);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await flow.api('POST', `/api/workflows/${id}/activate`, {})).status).toBe(200);
    const ran = await flow.api('POST', `/api/workflows/${id}/execute?wait=true`, { webhookData: { symbol: 'SBIN', extra: { deep: [1, 'two', null] } } });
    expect(ran.status).toBe(200);
    const executionId = ran.body.executionId as string;

    const publicUrl = flow.url;
    const wf = (await flow.store.getWorkflow(id))!;
    const one = await flow.api('GET', `/api/workflows/${id}`);
    expect(one.body).toEqual(json({ ...presentWorkflow(wf, publicUrl), problems: one.body.problems }));
    expect(one.body.nodes[0]).toMatchObject({ selected: true, measured: { width: 180, height: 40 }, data: { uiColour: 'teal' } });
    expect(one.body.edges[0].animated).toBe(true);

    const list = await flow.api('GET', '/api/workflows');
    expect(list.body).toEqual(json({ workflows: (await flow.store.listWorkflows()).map((w) => presentListItem(w, publicUrl)) }));
    expect(list.body.workflows[0].lastExecution.id).toBe(executionId);

    const detail = await flow.api('GET', `/api/executions/${executionId}`);
    const stored = (await flow.store.getExecution(executionId))!;
    expect(detail.body).toEqual(json(presentExecution(stored)));
    expect(detail.body.steps.length).toBe(4);
    expect(detail.body.orders.length).toBe(1);
    expect(detail.body.logs.length).toBeGreaterThan(0);
    expect(detail.body.steps.find((s: { nodeId: string }) => s.nodeId === 'say').notes.length).toBeGreaterThan(0);
    expect(detail.body.input.extra).toEqual({ deep: [1, 'two', null] });

    const runs = await flow.api('GET', `/api/workflows/${id}/executions?limit=5`);
    expect(runs.body).toEqual(json({ executions: (await flow.store.listExecutions(id, { limit: 5, offset: 0 })).map(presentSummary), limit: 5, offset: 0 }));
    const all = await flow.api('GET', `/api/executions?workflowId=${id}`);
    expect(all.body.executions).toEqual(runs.body.executions);

    const nodes = await flow.api('GET', '/api/nodes');
    expect(nodes.body).toEqual(json({ nodes: catalogue(defaultRegistry) }));

    const versions = await flow.api('GET', `/api/workflows/${id}/versions`);
    expect(versions.body).toMatchObject({ activeVersion: 1, versions: [{ version: 1, nodes: 4, edges: 3, active: true }] });
    const v1 = await flow.api('GET', `/api/workflows/${id}/versions/1`);
    expect(v1.body.definition.nodes[0].measured).toEqual({ width: 180, height: 40 });

    const health = await flow.api('GET', '/api/health');
    expect(health.body).toMatchObject({ status: 'ok', broker: 'paper', killSwitch: false, paperMarket: 'always_open' });
    expect(Object.keys(health.body)).toEqual(expect.arrayContaining(['uptimeSeconds', 'queueDepth', 'running', 'marketData']));
  });
});
