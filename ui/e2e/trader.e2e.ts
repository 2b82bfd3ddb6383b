// A trader's day in the browser: import an example, fix it in the side panel, save, activate,
// fire its TradingView webhook, watch the run, and find the position in the paper account.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, screenshot, signIn, startServer, type Server } from './harness';

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

const field = (name: string) => page.locator(`[data-testid=side-panel] [data-field=${name}]`);

describe('the trader workflow in a real browser', () => {
  let workflowId = '';

  it('refuses an invalid import and shows each problem against its node', async () => {
    const broken = JSON.parse(fs.readFileSync('examples/ema-webhook.json', 'utf8'));
    Object.assign(broken.nodes[2].data, { quantity: 0 });
    broken.edges.push({ id: 'e9', source: 'node_2', target: 'node_4', sourceHandle: 'maybe' });
    await page.click('[data-testid=import-open]');
    await page.click('[role=dialog] .tabs button:has-text("Paste JSON")');
    await page.fill('[data-testid=import-text]', JSON.stringify(broken));
    await page.click('[data-testid=import-submit]');
    const problems = page.locator('[role=dialog] [data-testid=problems] li');
    await problems.first().waitFor();
    const texts = await problems.allInnerTexts();
    expect(texts).toHaveLength(2);
    expect(texts.join('\n')).toContain('node_3 (placeOrder) · quantity');
    expect(texts.join('\n')).toContain('quantity must be at least 1 (got 0)');
    expect(texts.join('\n')).toContain("node_2 (positionCheck) · sourceHandle");
    expect((await server.api<{ workflows: unknown[] }>('GET', '/api/workflows')).body.workflows).toHaveLength(0);
    await page.click('[role=dialog] button:has-text("Cancel")');
  });

  it('imports an example file and draws every node and edge', async () => {
    await page.click('[data-testid=import-open]');
    await page.setInputFiles('[data-testid=import-file]', 'examples/ema-webhook.json');
    await page.click('[data-testid=import-submit]');
    await page.waitForSelector('[data-testid=node-node_3]');
    workflowId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
    expect(workflowId).toMatch(/^wf_/);
    // The top bar says which paper market is on (the harness keeps it always open).
    await expect(page.locator('[data-testid=broker-pill]').innerText()).resolves.toBe('broker: paper · always open');
    expect(await page.locator('.react-flow__node').count()).toBe(5);
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 4);
    // The condition's outputs are labelled, and the order node reads as an order.
    await expect(page.locator('[data-testid=node-node_2] .fnode-handles').innerText()).resolves.toMatch(/true\s*false/i);
    await expect(page.locator('[data-testid=node-node_3]').innerText()).resolves.toMatch(/Qty\s+10 · \{\{webhook\.action\}\}/);
  });

  it('shows a quantity of 0 and an unknown exchange at their fields, as the server does', async () => {
    await page.click('[data-testid=node-node_3]');
    await page.waitForSelector('[data-testid=side-panel][data-node=node_3]');

    await field('quantity').locator('input').fill('0');
    await expect(field('quantity').locator('.field-error').innerText()).resolves.toBe('must be at least 1 (got 0)');

    await field('exchange').locator('button').click(); // switch the select to free text
    await field('exchange').locator('input').fill('XYZ');
    const exchangeError = await field('exchange').locator('.field-error').innerText();
    expect(exchangeError).toContain("'XYZ' is not one of NSE, BSE");

    // The server's live validation marks the node and agrees word for word.
    await page.waitForSelector('[data-testid=node-node_3][data-problems="2"]');
    await expect(page.locator('[data-testid=validity]').innerText()).resolves.toContain('2 problems');
    const example = JSON.parse(fs.readFileSync('examples/ema-webhook.json', 'utf8'));
    Object.assign(example.nodes[2].data, { quantity: 0, exchange: 'XYZ' });
    const { body } = await server.api<{ problems: Array<{ nodeId: string; field: string; message: string }> }>('POST', '/api/workflows/validate', example);
    const byField = Object.fromEntries(body.problems.map((p) => [p.field, p.message]));
    expect(byField.quantity).toBe('node_3 placeOrder: quantity must be at least 1 (got 0)');
    expect(byField.exchange).toBe(`node_3 placeOrder: exchange ${exchangeError}`);
  });

  it('saves the corrected quantity', async () => {
    await field('exchange').locator('input').fill('NSE');
    await field('quantity').locator('input').fill('5');
    await page.waitForSelector('[data-testid=node-node_3]:not([data-problems])');
    await expect(page.locator('[data-testid=validity]').innerText()).resolves.toContain('valid');
    expect(await field('quantity').locator('.field-error').count()).toBe(0);
    await page.click('[data-testid=save]');
    await page.waitForSelector('[data-testid=unsaved]', { state: 'detached' });
    const { body } = await server.api<{ nodes: Array<{ id: string; data: Record<string, unknown> }> }>('GET', `/api/workflows/${workflowId}`);
    expect(body.nodes.find((n) => n.id === 'node_3')!.data).toMatchObject({ quantity: 5, exchange: 'NSE' });
    await expect(page.locator('[data-testid=node-node_3]').innerText()).resolves.toMatch(/Qty\s+5 · /);
    await screenshot(page, 'editor', true);
  });

  it('activates it and shows the webhook URL, secret and TradingView alert', async () => {
    await page.click('[data-testid=activate]');
    await page.click('[data-testid=activate-confirm]');
    await page.waitForSelector('[role=dialog] [data-testid=webhook-url]');
    const url = await page.inputValue('[role=dialog] [data-testid=webhook-url]');
    const secret = await page.inputValue('[role=dialog] [data-testid=webhook-secret]');
    const alert = JSON.parse(await page.inputValue('[role=dialog] [data-testid=webhook-alert]'));
    expect(url).toMatch(new RegExp(`^${server.url}/flow/webhook/[\\w-]+$`));
    expect(alert).toEqual({ symbol: '{{ticker}}', action: '{{strategy.order.action}}', secret });
    // The server answers on 127.0.0.1 with no FLOW_PUBLIC_URL: the dialog says TradingView cannot post there, and what to do.
    const warning = await page.locator('[role=dialog] [data-testid=public-url-warning]').innerText();
    expect(warning).toContain('TradingView cannot reach this URL');
    expect(warning).toContain('127.0.0.1 is this machine');
    expect(warning).toMatch(/FLOW_PUBLIC_URL[\s\S]*reverse proxy with TLS/);
    expect(warning).toContain('only to ports 80 and 443');
    await page.click('[role=dialog] button:has-text("Done")');
    await expect(page.locator('.toolbar .pill.active').innerText()).resolves.toBe('active · v1');

    // TradingView fires the alert.
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'SBIN', action: 'BUY', secret }) });
    expect(res.status).toBe(202);
  });

  it('shows the execution with the order node green and the skipped branch grey', async () => {
    await page.click('[data-testid=open-runs]');
    await page.waitForSelector('[data-testid=execution][data-status=completed]');
    expect(await page.locator('[data-testid=run-list] .run-item').count()).toBe(1);
    const order = page.locator('[data-testid=run-graph] [data-testid=node-node_3]');
    await expect(order.getAttribute('data-step')).resolves.toBe('completed');
    expect(await order.evaluate((el) => getComputedStyle(el).borderTopColor)).toBe('rgb(34, 197, 94)');
    await expect(page.locator('[data-testid=run-graph] [data-testid=node-node_5]').getAttribute('data-step')).resolves.toBe('skipped');

    // A DOM click: the canvas may still be settling its viewport, which Playwright's "stable" check waits out.
    await order.dispatchEvent('click');
    await page.locator('[data-testid=inspector]', { hasText: '"quantity": 5' }).waitFor();
    const inspector = await page.locator('[data-testid=inspector]').innerText();
    expect(inspector).toContain('"quantity": 5');
    expect(inspector).toContain('"symbol": "SBIN"');
    expect(inspector).toMatch(/"orderid": "\d+"/);
    await page.click('[data-testid=tab-orders]');
    await expect(page.locator('[data-testid=orders]').innerText()).resolves.toMatch(/BUY 5 SBIN[\s\S]*accepted/);
    await screenshot(page, 'run', true);
  });

  it('offers the fields of an upstream output, with what the last run returned, before the whole object', async () => {
    await page.click('button:has-text("Edit workflow")');
    await page.locator('[data-testid=node-node_4]').dispatchEvent('click');
    const message = field('message').locator('textarea');
    await message.click();
    await page.keyboard.press('End');
    await message.pressSequentially(' {{entry');
    const options = await page.locator('.suggest [role=option]').allInnerTexts();
    const values = options.map((o) => o.split('\n')[0].trim());
    expect(values[0]).not.toBe('{{entry}}');
    expect(values).toEqual(expect.arrayContaining(['{{entry.orderid}}', '{{entry.mode}}', '{{entry}}']));
    expect(values.indexOf('{{entry.orderid}}')).toBeLessThan(values.indexOf('{{entry}}'));
    expect(options.find((o) => o.startsWith('{{entry.mode}}'))).toContain('last run: analyze');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=canvas] .react-flow__pane').click({ position: { x: 10, y: 10 } });
    await page.keyboard.press('Control+z');
    await page.waitForSelector('[data-testid=unsaved]', { state: 'detached' });
  });

  it('lists the paper position the run opened', async () => {
    await page.click('nav >> text=Paper account');
    await page.waitForSelector('[data-testid=positions] td');
    const positions = await page.locator('[data-testid=positions]').innerText();
    expect(positions).toMatch(/SBIN\s+NSE\s+MIS\s+5/);
    await expect(page.locator('[data-testid=trades]').innerText()).resolves.toContain('SBIN');
    await screenshot(page, 'paper');
  });

  it('turns the kill switch on and off from any page', async () => {
    page.once('dialog', (d) => d.accept());
    await page.click('[data-testid=kill-switch]');
    await page.waitForSelector('[data-testid=kill-banner]');
    expect((await server.api<{ enabled: boolean }>('GET', '/api/kill-switch')).body.enabled).toBe(true);
    await page.click('[data-testid=kill-switch]');
    await page.waitForSelector('[data-testid=kill-banner]', { state: 'detached' });
    expect((await server.api<{ enabled: boolean }>('GET', '/api/kill-switch')).body.enabled).toBe(false);
  });

  it('lists the workflow as active with its last run completed', async () => {
    await page.click('nav >> text=Workflows');
    const row = page.locator(`[data-testid=wf-row-${workflowId}]`);
    await expect(row.innerText()).resolves.toMatch(/active · v1[\s\S]*webhook[\s\S]*completed/);
    await screenshot(page, 'workflows');
  });
});
