// Rehearse in the browser: from the editor's Rehearse button, a date range rehearsed; the trades,
// P&L, the equity curve and the price chart with the trade drawn on it; a changed threshold
// rehearsed again shows the previous net P&L beside the new one.
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

const entry = (time: string) => ({
  name: 'rehearsed entry',
  nodes: [
    { id: 'go', type: 'start', position: { x: 0, y: 0 }, data: { scheduleType: 'daily', time } },
    { id: 'buy', type: 'placeOrder', position: { x: 0, y: 120 }, data: { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 10, priceType: 'MARKET', product: 'CNC' } },
  ],
  edges: [{ id: 'e1', source: 'go', target: 'buy' }],
});

describe('rehearse in a real browser', () => {
  it('rehearses the draft on a date range and shows trades, P&L and both charts', async () => {
    const id = (await server.api<{ id: string }>('POST', '/api/workflows', entry('09:20'))).body.id;
    await page.goto(`${server.url}/workflows/${id}`);
    await page.click('[data-testid=open-rehearse]');
    await page.waitForSelector('[data-testid=rehearse-page]');
    expect(new URL(page.url()).pathname).toBe(`/workflows/${id}/rehearse`);
    await page.fill('[data-testid=rehearse-from]', '2026-10-05');
    await page.fill('[data-testid=rehearse-to]', '2026-10-07');
    await page.click('[data-testid=rehearse-run]');
    await page.waitForSelector('[data-testid=rehearse-trades]');
    expect(await page.locator('[data-testid=rehearse-trades] tbody tr').count()).toBe(3);
    expect(await page.locator('[data-testid=rehearse-days] tbody tr').count()).toBe(3);
    // lightweight-charts draws on canvases inside each chart's container.
    expect(await page.locator('[data-testid=equity-chart] canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=price-chart] canvas').count()).toBeGreaterThan(0);
    const firstNet = await page.locator('[data-testid=rehearse-net]').innerText();
    await screenshot(page, 'rehearse');

    // A changed schedule, rehearsed again: the new net P&L with the previous one beside it.
    expect((await server.api('PUT', `/api/workflows/${id}`, entry('14:00'))).status).toBe(200);
    await page.click('[data-testid=rehearse-run]');
    await expect.poll(() => page.locator('[data-testid=rehearse-summary]').innerText(), { timeout: 10_000 }).toContain('before:');
    expect(await page.locator('[data-testid=rehearse-summary]').innerText()).toContain(firstNet.replace('₹ ', ''));
  });
});
