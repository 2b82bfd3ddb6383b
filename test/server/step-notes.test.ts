// What a finished run reports: warnings on its steps (a {{…}} that did not resolve in a text field), and its last node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chain, node, startTestFlow, type TestFlow } from './helpers.js';

let flow: TestFlow;
beforeAll(async () => {
  flow = await startTestFlow();
});
afterAll(async () => flow.stop());

describe('warnings on steps', () => {
  it('an unresolved {{…}} in a log message completes the run with a note on that step, kept in the store and shown by GET /api/executions/:id', async () => {
    const wf = {
      name: 'notes', nodes: [
        node('s', 'start'),
        node('setx', 'variable', { variableName: 'entry', value: '{"price": 5}' }, 100),
        node('say', 'log', { message: 'Bought at {{entry.nope}} and {{missing}}' }, 200),
        node('fine', 'log', { message: 'plain text' }, 300),
      ], edges: chain('s', 'setx', 'say', 'fine'),
    };
    const created = await flow.api('POST', '/api/workflows/import', wf);
    expect(created.status).toBe(201);
    const run = await flow.api('POST', `/api/workflows/${created.body.id}/execute?wait=true`, {});
    const detail = (await flow.api('GET', `/api/executions/${run.body.executionId}`)).body;
    expect(detail.status).toBe('completed');
    const say = detail.steps.find((s: { nodeId: string }) => s.nodeId === 'say');
    expect(say.notes).toHaveLength(1);
    expect(say.notes[0]).toMatch(/^message has a reference that did not resolve \(\{\{entry\.nope\}\}\).*used as written$/);
    expect(detail.steps.find((s: { nodeId: string }) => s.nodeId === 'fine').notes).toBeUndefined();
    expect(detail.logs.some((l: { level: string; message: string }) => l.level === 'warn' && l.message.startsWith('say log: message has a reference'))).toBe(true);
  });
});

describe('a finished run', () => {
  it('names the last node that ran as its currentNodeId, not the last one that waited on the world', async () => {
    const wf = {
      name: 'last node', nodes: [
        node('s', 'start'), node('pause', 'delay', { delayValue: 0 }, 100), node('done', 'log', { message: 'end' }, 200),
      ], edges: chain('s', 'pause', 'done'),
    };
    const created = await flow.api('POST', '/api/workflows/import', wf);
    const run = await flow.api('POST', `/api/workflows/${created.body.id}/execute?wait=true`, {});
    const detail = (await flow.api('GET', `/api/executions/${run.body.executionId}`)).body;
    expect(detail.status).toBe('completed');
    expect(detail.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['s', 'pause', 'done']);
    expect(detail.currentNodeId).toBe('done');
    const listed = (await flow.api('GET', `/api/workflows/${created.body.id}/executions`)).body.executions[0];
    expect(listed.currentNodeId).toBe('done');
  });

  it('that failed names the node it failed at', async () => {
    const wf = {
      name: 'fails', nodes: [
        node('s', 'start'), node('pause', 'delay', { delayValue: 0 }, 100),
        node('bad', 'variable', { variableName: 'x', operation: 'divide', value: 0 }, 200),
      ], edges: chain('s', 'pause', 'bad'),
    };
    const created = await flow.api('POST', '/api/workflows/import', wf);
    const run = await flow.api('POST', `/api/workflows/${created.body.id}/execute?wait=true`, {});
    const detail = (await flow.api('GET', `/api/executions/${run.body.executionId}`)).body;
    expect(detail.status).toBe('failed');
    expect(detail.currentNodeId).toBe('bad');
  });
});
