// Messages a trader reads (issue 10, item 14): say what is wrong once, and how to fix it.
import { describe, expect, it } from 'vitest';
import { compileWorkflow, runWorkflow } from '../../src/engine/index.js';
import { defaultRegistry } from '../../src/nodes/registry.js';
import { BlockedAddressError } from '../../src/nodes/netguard.js';
import { validateWorkflow } from '../../src/workflow/validate.js';
import { countingBroker } from '../helpers/graph.js';

const quoteOnWebhook = {
  name: 'quote',
  nodes: [
    { id: 'hook', type: 'webhookTrigger', position: { x: 0, y: 0 }, data: {} },
    { id: 'q', type: 'getQuote', position: { x: 0, y: 100 }, data: { symbol: '{{webhook.symbol}}', exchange: 'NSE' } },
  ],
  edges: [{ id: 'e1', source: 'hook', target: 'q' }],
};

async function run(kind: 'manual' | 'webhook', payload: Record<string, unknown>) {
  const v = validateWorkflow(quoteOnWebhook, defaultRegistry);
  expect(v.valid).toBe(true);
  return runWorkflow(compileWorkflow(v.workflow!, defaultRegistry), { broker: countingBroker(), trigger: { kind, payload } });
}

describe('messages', () => {
  it("an unresolved {{webhook.symbol}} on a manual run names the reference once and says to pass --webhook '{…}'", async () => {
    const r = await run('manual', {});
    expect(r.status).toBe('failed');
    expect(r.error).toContain("q getQuote: symbol '{{webhook.symbol}}' did not resolve ({{webhook.symbol}})");
    expect(r.error).toContain("--webhook '{");
    expect(r.error!.split('{{webhook.symbol}}').length).toBe(3); // the field's text and the reference, no repeat
    expect(r.error).not.toContain('is not a symbol');
  });

  it('a webhook run without that field says it did not resolve, without the --webhook hint', async () => {
    const r = await run('webhook', { action: 'BUY' });
    expect(r.error).toContain("symbol '{{webhook.symbol}}' did not resolve");
    expect(r.error).not.toContain('--webhook');
  });

  it('a blocked address reads as English for an IP literal and for a name', () => {
    expect(new BlockedAddressError('[::1]', '::1').message).toMatch(/^\[::1\] is a loopback/);
    expect(new BlockedAddressError('127.0.0.1', '127.0.0.1').message).toMatch(/^127\.0\.0\.1 is a loopback/);
    expect(new BlockedAddressError('intranet.example', '10.0.0.1').message).toMatch(/^intranet\.example resolves to 10\.0\.0\.1, a loopback/);
  });
});
