// The editor and the run viewer at the sizes traders use: a 1366×768 laptop, a 1440×900 one and a
// 1920×1080 desk screen. Nothing that must be clicked may sit under the zoom buttons or the minimap.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedNodes, launch, screenshot, signIn, startServer, type Server } from './harness';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

type Wf = { name: string; nodes: Array<{ id: string; position: { x: number; y: number }; data: Record<string, unknown> }>; edges: unknown[]; viewport?: unknown };
const example = (file: string): Wf => JSON.parse(fs.readFileSync(`examples/${file}.json`, 'utf8'));

async function importWf(wf: Wf): Promise<string> {
  const { status, body } = await server.api<{ id: string }>('POST', '/api/workflows/import', wf);
  expect(status).toBe(201);
  return body.id;
}

async function openEditor(page: Page, id: string, nodes: number) {
  await page.goto(`${server.url}/workflows/${id}`);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=canvas] .react-flow__node').length === n, nodes);
  // The first view settles (fit, then the check that nothing hides under the overlays).
  await page.waitForTimeout(250);
}

const box = async (page: Page, selector: string) => (await page.locator(selector).boundingBox())!;
const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('the editor on a 1366×768 laptop', () => {
  let page: Page;
  let id = '';
  beforeAll(async () => {
    page = await signIn(browser, server, { width: 1366, height: 768 });
    id = await importWf(example('price-exit'));
  });

  it('draws every node clear of the zoom buttons, each clickable at its centre, with the minimap folded away', async () => {
    await openEditor(page, id, 6);
    expect(await page.locator('[data-testid=canvas] .react-flow__minimap').count()).toBe(0);
    expect(await blockedNodes(page, '[data-testid=canvas]')).toEqual([]);
  });

  it('keeps every node clickable on a 1280×720 screen too', async () => {
    const small = await signIn(browser, server, { width: 1280, height: 720 });
    await openEditor(small, id, 6);
    expect(await blockedNodes(small, '[data-testid=canvas]')).toEqual([]);
    await small.context().close();
  });

  it('opens a small minimap on request and keeps the nodes clear of it', async () => {
    await page.click('[data-testid=minimap-toggle]');
    await page.waitForSelector('[data-testid=canvas] .react-flow__minimap');
    await page.waitForTimeout(250);
    expect(await blockedNodes(page, '[data-testid=canvas]')).toEqual([]);
    const map = await box(page, '[data-testid=canvas] .react-flow__minimap');
    expect(map.width * map.height).toBeLessThan(200 * 120);
    await screenshot(page, 'editor-1366x768');
    await page.click('[data-testid=minimap-toggle]');
    await page.waitForSelector('[data-testid=canvas] .react-flow__minimap', { state: 'detached' });
  });

  it('puts a node dropped onto the zoom buttons beside them, where it can be clicked', async () => {
    const controls = await box(page, '[data-testid=canvas] .react-flow__controls');
    await page.fill('[data-testid=palette] input[type=search]', 'log');
    const from = await box(page, '[data-testid=palette-log]');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(controls.x + controls.width / 2, controls.y + controls.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid=node-node_7]');
    expect(overlap((await box(page, '[data-testid=canvas] .react-flow__node[data-id=node_7]')), controls)).toBe(false);
    // It may land on another node (the trader dropped it there), but nothing floats over it.
    expect((await blockedNodes(page, '[data-testid=canvas]')).filter((p) => p.startsWith('node_7 '))).toEqual([]);
  });

  it('wraps a long problem message inside the side panel', async () => {
    const wf = example('price-exit');
    wf.nodes[2].data.exchange = `NSE_${'X'.repeat(90)}`;
    expect((await server.api('PUT', `/api/workflows/${id}`, wf)).status).toBe(200);
    page.once('dialog', (d) => d.accept());
    await openEditor(page, id, 6);
    const problem = page.locator('[data-testid=workflow-panel] [data-testid=problems] li').first();
    await problem.waitFor();
    expect(await problem.innerText()).toContain('XXXXXXXX');
    const fits = (sel: string) => page.locator(sel).evaluate((side) => {
      const edge = side.getBoundingClientRect().right;
      return side.scrollWidth <= side.clientWidth && [...side.querySelectorAll('li, .field-error')].every((el) => el.getBoundingClientRect().right <= edge + 0.5);
    });
    expect(await fits('[data-testid=workflow-panel]')).toBe(true);
    await problem.click();
    await page.waitForSelector('[data-testid=side-panel][data-node=node_3] [data-field=exchange] .field-error');
    expect(await fits('[data-testid=side-panel]')).toBe(true);
  });
});

describe('the editor on a 1920×1080 screen', () => {
  it('shows the minimap and keeps every node clear of it, even when the saved view put one beneath it', async () => {
    const page = await signIn(browser, server, { width: 1920, height: 1080 });
    const wf = example('ema-webhook');
    // A view saved on a wider screen: the graph sits in the bottom-right corner, under the minimap.
    wf.viewport = { x: 900, y: 450, zoom: 1 };
    const id = await importWf(wf);
    await openEditor(page, id, 5);
    await page.waitForSelector('[data-testid=canvas] .react-flow__minimap');
    expect(await blockedNodes(page, '[data-testid=canvas]')).toEqual([]);
  });
});

describe('the run viewer on a 1440×900 laptop', () => {
  let page: Page;
  let runs: { workflow: string; ids: string[] };
  beforeAll(async () => {
    page = await signIn(browser, server, { width: 1440, height: 900 });
  });

  it('draws node text at 11 px or more, clear of the legend and zoom buttons, and a price check with its operator and threshold', async () => {
    const id = await importWf(example('price-exit'));
    const run = await server.api<{ executionId: string }>('POST', `/api/workflows/${id}/execute?wait=true`, {});
    expect(run.status).toBe(200);
    await page.goto(`${server.url}/workflows/${id}/runs/${run.body.executionId}`);
    await page.waitForSelector('[data-testid=run-graph] [data-testid=node-node_3][data-step]');
    await page.waitForTimeout(250);
    const smallest = await page.locator('[data-testid=run-graph]').evaluate((root) => {
      const vp = root.querySelector<HTMLElement>('.react-flow__viewport')!;
      const zoom = new DOMMatrix(getComputedStyle(vp).transform).a;
      const sizes = [...root.querySelectorAll('.react-flow__node *')]
        .filter((el) => [...el.childNodes].some((c) => c.nodeType === Node.TEXT_NODE && c.textContent!.trim()))
        .map((el) => parseFloat(getComputedStyle(el).fontSize) * zoom);
      return Math.min(...sizes);
    });
    expect(smallest).toBeGreaterThanOrEqual(11);
    await expect(page.locator('[data-testid=run-graph] [data-testid=node-node_3]').innerText()).resolves.toMatch(/ltp < 500/);
    await screenshot(page, 'run-1440x900');
    // A graph taller than the pane starts at its trigger and scrolls: every node is clickable once in view.
    expect(await blockedNodes(page, '[data-testid=run-graph]', { inViewOnly: true })).toEqual([]);
    expect(await page.locator('[data-testid=run-graph] [data-testid=node-node_1]').isVisible()).toBe(true);
    const pane = await box(page, '[data-testid=run-graph]');
    await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
    await page.mouse.wheel(0, pane.height);
    await page.waitForTimeout(200);
    expect(await blockedNodes(page, '[data-testid=run-graph]', { inViewOnly: true })).toEqual([]);
    await page.locator('[data-testid=run-graph] [data-testid=node-node_5]').dispatchEvent('click');
    await page.locator('[data-testid=inspector]', { hasText: 'node_5' }).waitFor();
  });

  it('tells runs of the same minute apart by the end of their ids, and shows when each ran', async () => {
    const wf = example('ema-webhook');
    const id = await importWf(wf);
    const ids: string[] = [];
    runs = { workflow: id, ids };
    for (let i = 0; i < 2; i++) {
      const run = await server.api<{ executionId: string }>('POST', `/api/workflows/${id}/execute?wait=true`, { webhookData: { symbol: 'SBIN', action: 'BUY' } });
      ids.push(run.body.executionId);
    }
    await page.goto(`${server.url}/workflows/${id}/runs/${ids[1]}`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=run-list] .run-item').length === 2);
    const shown = await page.locator('[data-testid=run-id]').allInnerTexts();
    expect(shown).toEqual([ids[1].slice(-6), ids[0].slice(-6)]);
    expect(shown[0]).not.toBe(shown[1]);
    for (const t of await page.locator('[data-testid=run-time]').allInnerTexts()) expect(t).toMatch(/\d{1,2}:\d{2}:\d{2}$/);
    await expect(page.locator('[data-testid=execution-id]').innerText()).resolves.toBe(ids[1].slice(-6));
  });

  it('shows an order that never reached the broker as "not sent", apart from refused and unknown ones', async () => {
    // The server marks an intent not_sent when it was still waiting for a rate-limit slot at a restart;
    // here the stored run's answer is rewritten on its way to the page to carry that status.
    // The first run bought SBIN; the second found the position and placed nothing.
    const executionId = runs.ids[0];
    await page.route(`**/api/executions/${executionId}`, async (route) => {
      const res = await route.fetch();
      const body = await res.json() as { orders: Array<{ status: string }> };
      body.orders[0].status = 'not_sent';
      await route.fulfill({ response: res, json: body });
    });
    await page.goto(`${server.url}/workflows/${runs.workflow}/runs/${executionId}`);
    await page.click('[data-testid=tab-orders]');
    const status = page.locator('[data-testid=orders] [data-status=not_sent]');
    await expect(status.innerText()).resolves.toBe('not sent');
    expect(await status.getAttribute('title')).toContain('Never reached the broker');
    const colour = await status.evaluate((el) => getComputedStyle(el).color);
    expect(colour).not.toBe('rgb(239, 68, 68)'); // not the red of a refused order
    expect(colour).not.toBe('rgb(245, 158, 11)'); // nor the amber of an unknown one
    await page.unroute(`**/api/executions/${executionId}`);
  });
});
