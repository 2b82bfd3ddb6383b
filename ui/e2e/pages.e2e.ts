// The cockpit's cross-workflow pages in a real browser: the executions page (every workflow's runs,
// filtered by status, trigger, workflow and day, each opening its run) and the today page (runs and
// orders of the day, the failed run, positions, the next scheduled fire, the stream's state).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, screenshot, signIn, startServer, type Server } from './harness';

let server: Server;
let browser: Browser;
let page: Page;

const node = (id: string, type: string, data: Record<string, unknown> = {}, y = 0) => ({ id, type, position: { x: 0, y }, data });
const chain = (...ids: string[]) => ids.slice(1).map((id, i) => ({ id: `e${i + 1}`, source: ids[i], target: id }));

const ids = { buy: '', note: '', clock: '', ok: '', failed: '', manual: '' };

async function create(wf: unknown): Promise<string> {
  const r = await server.api<{ id: string }>('POST', '/api/workflows', wf);
  expect(r.status).toBe(201);
  return r.body.id;
}

async function run(id: string, body: unknown): Promise<{ executionId: string; status: string }> {
  const r = await server.api<{ executionId: string; status: string }>('POST', `/api/workflows/${id}/execute?wait=true`, body);
  expect(r.status).toBe(200);
  return r.body;
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  page = await signIn(browser, server, { width: 1366, height: 768 });
  ids.buy = await create({
    name: 'Buy on alert',
    nodes: [
      node('hook', 'webhookTrigger'),
      node('buy', 'placeOrder', { symbol: '{{webhook.symbol}}', exchange: 'NSE', action: '{{webhook.action}}', quantity: 5, priceType: 'MARKET', product: 'MIS' }, 100),
    ],
    edges: chain('hook', 'buy'),
  });
  ids.note = await create({ name: 'Morning note', nodes: [node('go', 'start'), node('say', 'log', { message: 'hello' }, 100)], edges: chain('go', 'say') });
  ids.clock = await create({ name: 'Daily clock', nodes: [node('at', 'start', { scheduleType: 'daily', time: '09:20' }), node('say', 'log', { message: 'tick' }, 100)], edges: chain('at', 'say') });
  expect((await server.api('POST', `/api/workflows/${ids.clock}/activate`, {})).status).toBe(200);
  const ok = await run(ids.buy, { webhookData: { symbol: 'SBIN', action: 'BUY' } });
  const failed = await run(ids.buy, { webhookData: { symbol: 'SBIN', action: 'HOLD' } });
  const manual = await run(ids.note, {});
  expect([ok.status, failed.status, manual.status]).toEqual(['completed', 'failed', 'completed']);
  Object.assign(ids, { ok: ok.executionId, failed: failed.executionId, manual: manual.executionId });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const rows = () => page.locator('[data-testid=execution-row]');
const rowIds = async () => (await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id'))));
async function waitRows(n: number) {
  await page.waitForFunction((count) => document.querySelectorAll('[data-testid=execution-row]').length === count
    || (count === 0 && !!document.querySelector('[data-testid=executions-empty]')), n);
}

describe('the executions page', () => {
  it('lists the runs of every workflow, newest first, with their workflow names', async () => {
    await page.click('.topbar .nav a:has-text("Executions")');
    await waitRows(3);
    expect(await rowIds()).toEqual([ids.manual, ids.failed, ids.ok]);
    const first = await rows().first().innerText();
    expect(first).toContain('Morning note');
    expect(first).toContain('manual');
  });

  it('filters by status, trigger, workflow and day, keeping the filters in the URL', async () => {
    await page.selectOption('[data-testid=filter-status]', 'failed');
    await waitRows(1);
    expect(await rowIds()).toEqual([ids.failed]);
    expect(new URL(page.url()).search).toBe('?status=failed');
    await expect(rows().first().innerText()).resolves.toMatch(/action/i);

    await page.click('[data-testid=filter-clear]');
    await waitRows(3);
    await page.selectOption('[data-testid=filter-trigger]', 'webhook');
    await waitRows(2);
    expect(await rowIds()).toEqual([ids.failed, ids.ok]);

    await page.selectOption('[data-testid=filter-trigger]', '');
    await page.selectOption('[data-testid=filter-workflow]', { label: 'Morning note' });
    await waitRows(1);
    expect(await rowIds()).toEqual([ids.manual]);

    // Today has every run; a day in the past has none.
    await page.click('[data-testid=filter-clear]');
    await page.click('[data-testid=filter-today]');
    await waitRows(3);
    await page.fill('[data-testid=filter-from]', '2020-01-01');
    await page.fill('[data-testid=filter-to]', '2020-01-02');
    await waitRows(0);

    // A reload keeps the filters.
    await page.goto(`${server.url}/executions?status=completed&workflowId=${ids.buy}`);
    await waitRows(1);
    expect(await rowIds()).toEqual([ids.ok]);
    expect(await page.locator('[data-testid=filter-status]').inputValue()).toBe('completed');
    await screenshot(page, 'executions-1366x768');
  });

  it('opens a run on its workflow’s runs page', async () => {
    await page.goto(`${server.url}/executions`);
    await waitRows(3);
    await rows().nth(1).click();
    await page.waitForURL(`**/workflows/${ids.buy}/runs/${ids.failed}`);
    await page.waitForSelector('[data-testid=run-list]');
  });
});

describe('the today page', () => {
  it('shows the day’s runs and orders, the failed run, the position, the next fire and the stream', async () => {
    await page.click('.topbar .nav a:has-text("Today")');
    await page.waitForSelector('[data-testid=today-positions]');
    await page.waitForFunction(() => document.querySelector('[data-testid=today-runs] .stat-value')?.textContent === '3');
    const runs = await page.locator('[data-testid=today-runs]').innerText();
    expect(runs).toContain('2 completed');
    expect(runs).toContain('1 failed');
    await expect(page.locator('[data-testid=today-orders] .stat-value').innerText()).resolves.toBe('1');
    await expect(page.locator('[data-testid=orders-accepted]').innerText()).resolves.toContain('1');
    await expect(page.locator('[data-testid=today-active] .stat-value').innerText()).resolves.toBe('1');

    const failed = page.locator('[data-testid=failed-runs] tbody tr');
    expect(await failed.count()).toBe(1);
    await expect(failed.first().innerText()).resolves.toContain('Buy on alert');

    await expect(page.locator('[data-testid=today-positions]').innerText()).resolves.toMatch(/SBIN[\s\S]*MIS[\s\S]*5/);
    await expect(page.locator('[data-testid=today-schedules]').innerText()).resolves.toContain('Daily clock');
    // The paper market streams in-process: the pill (top bar and page) says live.
    await expect(page.locator('.topbar [data-testid=stream-pill]').getAttribute('data-mode')).resolves.toBe('live');
    await expect(page.locator('[data-testid=today-stream] .stat-value').innerText()).resolves.toBe('stream live');
    await screenshot(page, 'today-1366x768');
  });

  it('takes a status count to the executions page filtered to today', async () => {
    await page.click('[data-testid=today-runs] a:has-text("1 failed")');
    await page.waitForURL(/\/executions\?status=failed&from=\d{4}-\d{2}-\d{2}&to=/);
    await waitRows(1);
    expect(await rowIds()).toEqual([ids.failed]);
  });

  it('opens the failed run from the attention list', async () => {
    await page.goto(`${server.url}/today`);
    await page.locator('[data-testid=failed-runs] a').first().click();
    await page.waitForURL(`**/workflows/${ids.buy}/runs/${ids.failed}`);
  });

  it('watches symbols found with the broker’s search, their LTP live and kept across reloads', async () => {
    await page.goto(`${server.url}/today`);
    const rows = page.locator('[data-testid=watch-row]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=watch-row] [data-testid=ltp]').length === 2);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-symbol')))).toEqual(['NIFTY', 'BANKNIFTY']);

    await page.fill('[data-testid=watchlist] [data-testid=symbol-search] input', 'sbi');
    const sbin = page.locator('[data-testid=symbol-result][data-symbol=SBIN][data-exchange=NSE]');
    await sbin.waitFor();
    // Each result shows its exchange and live LTP.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=symbol-result][data-symbol=SBIN] [data-testid=ltp]')?.getAttribute('data-ltp')) > 0);
    await screenshot(page, 'symbol-search');
    await sbin.click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=watch-row]').length === 3);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=watch-row][data-symbol=SBIN] [data-testid=ltp]')?.getAttribute('data-ltp')) > 0);

    // The prices are polled while the page is open.
    await page.waitForRequest((r) => r.url().includes('/api/market/quotes') && r.url().includes('SBIN'), { timeout: 5_000 });

    await page.click('[data-testid=watch-row][data-symbol=BANKNIFTY] button');
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=watch-row] [data-testid=ltp]').length === 2);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-symbol')))).toEqual(['NIFTY', 'SBIN']);
  });
});

describe('the alerts page', () => {
  it('sets a workflow to start an alert workflow on failure, which then runs with the failed run as payload', async () => {
    const alert = await create({ name: 'Tell me', nodes: [node('go', 'start'), node('say', 'log', { message: 'failed: {{webhook.workflowName}} {{webhook.error}}' }, 100)], edges: chain('go', 'say') });
    expect((await server.api('POST', `/api/workflows/${alert}/activate`, {})).status).toBe(200);
    await page.click('.topbar .nav a:has-text("Alerts")');
    const row = page.locator(`[data-testid=on-failure-row][data-id=${ids.buy}]`);
    await row.waitFor();
    await expect(row.locator('[data-testid=applies]').innerText()).resolves.toBe('nothing');
    await row.locator('[data-testid=mode]').selectOption('own');
    await row.locator('[data-testid=workflow]').selectOption(alert);
    await row.locator('[data-testid=save-row]').click();
    await page.waitForFunction((id) => document.querySelector(`[data-testid=on-failure-row][data-id=${id}] [data-testid=applies]`)?.textContent === 'run Tell me', ids.buy);
    await screenshot(page, 'alerts-1366x768');

    const failed = await run(ids.buy, { webhookData: { symbol: 'SBIN', action: 'HOLD' } });
    expect(failed.status).toBe('failed');
    await page.goto(`${server.url}/executions?trigger=error`);
    await waitRows(1);
    await expect(rows().first().innerText()).resolves.toContain('Tell me');
    await rows().first().click();
    await page.waitForURL(`**/workflows/${alert}/runs/**`);
    await page.waitForFunction(() => document.body.innerText.includes('failed: Buy on alert'));
  });
});
