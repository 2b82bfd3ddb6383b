// Versions and re-runs in the browser: restore an older activated version as the draft from the
// editor's side panel, and re-run a finished run from the run page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, signIn, startServer, type Server } from './harness';

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  page = await signIn(browser, server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const logOnly = (message: string) => ({
  name: 'versioned',
  nodes: [
    { id: 'go', type: 'start', position: { x: 0, y: 0 }, data: {} },
    { id: 'say', type: 'log', position: { x: 0, y: 120 }, data: { message } },
  ],
  edges: [{ id: 'e1', source: 'go', target: 'say' }],
});

type Wf = { id: string; nodes: Array<{ id: string; data: { message?: string } }> };

describe('versions and re-runs in a real browser', () => {
  let id = '';

  it('lists the activated versions in the editor and restores v1 as the draft', async () => {
    id = (await server.api<Wf>('POST', '/api/workflows', logOnly('first'))).body.id;
    expect((await server.api('POST', `/api/workflows/${id}/activate`, {})).status).toBe(200);
    expect((await server.api('PUT', `/api/workflows/${id}`, logOnly('second'))).status).toBe(200);
    expect((await server.api('POST', `/api/workflows/${id}/activate`, {})).status).toBe(200);

    await page.goto(`${server.url}/workflows/${id}`);
    await page.waitForSelector('[data-testid=version-2]');
    expect(await page.locator('[data-testid=version-2]').innerText()).toContain('active');
    await page.click('[data-testid=version-1] button:has-text("Restore")');
    await page.waitForSelector('text=Draft restored from v1');
    const draft = (await server.api<Wf>('GET', `/api/workflows/${id}`)).body;
    expect(draft.nodes.find((n) => n.id === 'say')!.data.message).toBe('first');
    // The canvas loaded the restored draft: the log node's message is v1's again.
    await page.click('[data-testid=node-say]');
    await expect.poll(() => page.locator('[data-testid=side-panel] [data-field=message] textarea, [data-testid=side-panel] [data-field=message] input').first().inputValue(), { timeout: 5_000 }).toBe('first');
  });

  it('re-runs a finished run from its page and shows the new run', async () => {
    const first = (await server.api<{ executionId: string; status: string }>('POST', `/api/workflows/${id}/execute?wait=true`, {})).body;
    expect(first.status).toBe('completed');
    await page.goto(`${server.url}/workflows/${id}/runs/${first.executionId}`);
    await page.waitForSelector('[data-testid=execution][data-status=completed]');
    await page.click('[data-testid=rerun]');
    await page.waitForURL((url) => url.pathname.includes('/runs/') && !url.pathname.endsWith(first.executionId));
    await page.waitForSelector('[data-testid=execution][data-status=completed]');
    const newId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const rerun = (await server.api<{ status: string; version: number; trigger: { kind: string } }>('GET', `/api/executions/${newId}`)).body;
    expect(rerun).toMatchObject({ status: 'completed', version: 2, trigger: { kind: 'manual' } });
  });

  it('manages the webhook from the side panel: off and on, auth type, a new secret and a new URL, without re-activating', async () => {
    const hooked = {
      name: 'hooked',
      nodes: [
        { id: 'hook', type: 'webhookTrigger', position: { x: 0, y: 0 }, data: {} },
        { id: 'say', type: 'log', position: { x: 0, y: 120 }, data: { message: 'got {{webhook.symbol}}' } },
      ],
      edges: [{ id: 'e1', source: 'hook', target: 'say' }],
    };
    const wid = (await server.api<Wf>('POST', '/api/workflows', hooked)).body.id;
    const act = (await server.api<{ version: number; webhook: { url: string; secret: string } }>('POST', `/api/workflows/${wid}/activate`, {})).body;
    const post = (url: string, secret: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'SBIN', secret }) }).then((r) => r.status);
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${server.url}/workflows/${wid}`);
    await page.waitForSelector('[data-testid=webhook-controls]');

    await page.click('[data-testid=webhook-toggle]');
    await expect.poll(() => page.locator('[data-testid=webhook-state]').innerText()).toContain('turned off');
    expect(await post(act.webhook.url, act.webhook.secret)).toBe(403);
    await page.click('[data-testid=webhook-toggle]');
    await expect.poll(() => page.locator('[data-testid=webhook-state]').innerText()).toContain('receiving');
    expect(await post(act.webhook.url, act.webhook.secret)).toBe(202);

    await page.click('[data-testid=webhook-new-secret]');
    await expect.poll(() => page.inputValue('[data-testid=webhook-secret]')).not.toBe(act.webhook.secret);
    const secret = await page.inputValue('[data-testid=webhook-secret]');
    expect(await post(act.webhook.url, act.webhook.secret)).toBe(401);
    expect(await post(act.webhook.url, secret)).toBe(202);

    await page.click('[data-testid=webhook-new-url]');
    await expect.poll(() => page.inputValue('[data-testid=webhook-url]')).not.toBe(act.webhook.url);
    expect(await post(act.webhook.url, secret)).toBe(404);
    expect(await post(await page.inputValue('[data-testid=webhook-url]'), secret)).toBe(202);

    await page.selectOption('[data-testid=webhook-auth]', 'url');
    await expect.poll(async () => (await server.api<{ authType: string }>('GET', `/api/workflows/${wid}/webhook`)).body.authType).toBe('url');
    // Still the version activated at the start: nothing was re-activated.
    expect((await server.api<{ version: number }>('GET', `/api/workflows/${wid}`)).body.version).toBe(act.version);
  });
});
