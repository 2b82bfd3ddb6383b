// A reference that does not resolve in a text field is sent as written, and the run says so on the step.
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
