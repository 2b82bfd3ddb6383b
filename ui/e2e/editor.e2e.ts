// Drawing a workflow by hand (palette, handles, suggestions, copy/paste, undo, auto-layout), and
// watching a slow run live over server-sent events.
import type { Browser, Locator, Page } from 'playwright-core';
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

const centre = async (l: Locator) => {
  const b = (await l.boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
};

async function connect(from: Locator, to: Locator) {
  const a = await centre(from);
  const b = await centre(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

/** Drags a palette entry onto the canvas at (x, y) from the canvas's top-left corner. */
async function drop(type: string, x: number, y: number) {
  const from = await centre(page.locator(`[data-testid=palette-${type}]`));
  const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(canvas.x + x, canvas.y + y, { steps: 8 });
  await page.mouse.up();
}

const nodeCount = () => page.locator('[data-testid=canvas] .react-flow__node').count();

describe('drawing a workflow', () => {
  let id = '';

  it('adds nodes by dragging from the palette and connects their handles', async () => {
    await page.click('text=New workflow');
    await page.fill('[role=dialog] input', 'Drawn by hand');
    await page.click('[role=dialog] button:has-text("Create")');
    await page.waitForSelector('[data-testid=palette]');
    id = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);

    await drop('webhookTrigger', 420, 120);
    await drop('placeOrder', 420, 300);
    await page.waitForSelector('[data-testid=node-node_2]');
    expect(await nodeCount()).toBe(2);

    await connect(page.locator('[data-testid=node-node_1] .react-flow__handle.source'), page.locator('[data-testid=node-node_2] .react-flow__handle.target'));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=canvas] .react-flow__edge').length === 1);

    // The new order has no symbol: the server says so, on the node.
    await page.waitForSelector('[data-testid=node-node_2][data-problems="1"]');
  });

  it('offers upstream {{…}} references while typing', async () => {
    await page.click('[data-testid=node-node_2] .fnode-title');
    const symbol = page.locator('[data-testid=side-panel] [data-field=symbol] input');
    await expect(page.locator('[data-testid=side-panel] [data-field=symbol] .field-error').innerText()).resolves.toBe('is required');
    await symbol.click();
    await symbol.pressSequentially('{{web');
    await page.click('.suggest div:has-text("{{webhook.symbol}}")');
    expect(await symbol.inputValue()).toBe('{{webhook.symbol}}');
    await page.waitForSelector('[data-testid=node-node_2]:not([data-problems])');
  });

  it('copies, pastes, undoes and redoes', async () => {
    await page.click('[data-testid=node-node_2] .fnode-title');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await page.waitForSelector('[data-testid=node-node_3]');
    expect(await nodeCount()).toBe(3);
    await page.keyboard.press('Control+z');
    await page.waitForSelector('[data-testid=node-node_3]', { state: 'detached' });
    await page.keyboard.press('Control+Shift+z');
    await page.waitForSelector('[data-testid=node-node_3]');
    await page.keyboard.press('Control+z');
    await page.waitForSelector('[data-testid=node-node_3]', { state: 'detached' });
    expect(await nodeCount()).toBe(2);
  });

  it('lays the graph out top to bottom and saves it in OpenAlgo format', async () => {
    await page.click('button:has-text("Auto-layout")');
    await page.click('[data-testid=save]');
    await page.waitForSelector('[data-testid=unsaved]', { state: 'detached' });
    const { body } = await server.api<{ nodes: Array<{ id: string; type: string; position: { x: number; y: number }; data: Record<string, unknown> }>; edges: unknown[] }>('GET', `/api/workflows/${id}`);
    expect(body.nodes.map((n) => [n.id, n.type, n.position])).toEqual([
      ['node_1', 'webhookTrigger', { x: 250, y: 40 }],
      ['node_2', 'placeOrder', { x: 250, y: 190 }],
    ]);
    expect(body.nodes[1].data).toMatchObject({ symbol: '{{webhook.symbol}}', quantity: 1, exchange: 'NSE' });
    expect(body.edges).toEqual([{ id: 'e1', source: 'node_1', target: 'node_2' }]);
  });

  it('shows true/false outputs on conditions and numbered input slots on gates', async () => {
    await drop('andGate', 700, 200);
    const gate = page.locator('[data-testid=node-node_3]');
    await gate.waitFor();
    expect(await gate.locator('.react-flow__handle.target').count()).toBe(2);
    expect(await gate.locator('.fnode-handles').innerText()).toMatch(/true\s*false/i);
    await gate.locator('.fnode-title').click();
    await page.fill('[data-testid=side-panel] [data-field=inputCount] input', '3');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=node-node_3] .react-flow__handle.target').length === 3);
    expect(await gate.locator('.react-flow__handle.target').evaluateAll((hs) => hs.map((h) => h.getAttribute('data-handleid')))).toEqual(['input-0', 'input-1', 'input-2']);
  });

  const edgeIds = () => page.locator('[data-testid=canvas] .react-flow__edge').evaluateAll((es) => es.map((e) => e.getAttribute('aria-label')).sort());

  it('inserts a node on an edge from the edge\'s "+"', async () => {
    await page.click('[data-testid=edge-add-e1]');
    await page.fill('[data-testid=node-picker] input', 'delay');
    await page.click('[data-testid=picker-delay]');
    await page.waitForSelector('[data-testid=node-node_4][data-type=delay]');
    expect(await edgeIds()).toEqual(['Edge from node_1 to node_4', 'Edge from node_4 to node_2']);
    // Room was made: the order moved down below the inserted delay.
    const [delay, order] = [await page.locator('[data-testid=node-node_4]').boundingBox(), await page.locator('[data-testid=node-node_2]').boundingBox()];
    expect(order!.y).toBeGreaterThan(delay!.y + delay!.height);
  });

  it('inserts a node dropped from the palette onto an edge', async () => {
    const edge = page.locator('[data-testid=canvas] .react-flow__edge[aria-label="Edge from node_4 to node_2"]');
    const plus = await centre(page.locator(`[data-testid=edge-add-${await edge.getAttribute('data-id')}]`));
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    // Just beside the "+", on the edge's line.
    await page.fill('[data-testid=palette] input[type=search]', 'log');
    await drop('log', plus.x - canvas.x, plus.y - canvas.y + 14);
    await page.fill('[data-testid=palette] input[type=search]', '');
    await page.waitForSelector('[data-testid=node-node_5][data-type=log]');
    expect(await edgeIds()).toEqual(['Edge from node_1 to node_4', 'Edge from node_4 to node_5', 'Edge from node_5 to node_2']);
    await page.locator('[data-testid=canvas] .react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+z');
    await page.waitForSelector('[data-testid=node-node_5]', { state: 'detached' });
    expect(await edgeIds()).toEqual(['Edge from node_1 to node_4', 'Edge from node_4 to node_2']);
  });

  it('lists the keyboard shortcuts on "?"', async () => {
    await page.locator('[data-testid=canvas] .react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('?');
    const dialog = page.locator('[data-testid=shortcuts]');
    await dialog.waitFor();
    const text = await dialog.innerText();
    for (const what of ['Save', 'Undo', 'Redo', 'Copy the selected nodes', 'Paste', 'Duplicate', 'Delete the selected', 'Auto-layout', 'Insert a node between']) expect(text).toContain(what);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.click('[data-testid=shortcuts-open]');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
  });
});

describe('watching a run', () => {
  it('colours the running node blue while the run is in progress, then green', async () => {
    const wf = {
      name: 'Slow run',
      nodes: [
        { id: 'go', type: 'start', position: { x: 250, y: 40 }, data: { scheduleType: 'daily', time: '09:15' } },
        { id: 'wait', type: 'delay', position: { x: 250, y: 170 }, data: { delayValue: 4, delayUnit: 'seconds' } },
        { id: 'say', type: 'log', position: { x: 250, y: 300 }, data: { message: 'done at {{time}}' } },
      ],
      edges: [{ id: 'e1', source: 'go', target: 'wait' }, { id: 'e2', source: 'wait', target: 'say' }],
    };
    const { body } = await server.api<{ id: string }>('POST', '/api/workflows/import', wf);
    await page.goto(`${server.url}/workflows/${body.id}/runs`);
    await page.click('[data-testid=run-now]');
    await page.fill('[role=dialog] textarea', '');
    await page.click('[data-testid=run-confirm]');
    await page.waitForSelector('[data-testid=run-graph] [data-testid=node-wait][data-step=running]');
    expect(await page.locator('[data-testid=run-graph] [data-testid=node-go]').getAttribute('data-step')).toBe('completed');
    expect(await page.locator('[data-testid=run-graph] [data-testid=node-wait]').evaluate((el) => getComputedStyle(el).borderTopColor)).toBe('rgb(59, 130, 246)');
    // Generous: on a loaded 2-core machine the server's 4 s run and its event stream can lag well behind.
    await page.waitForSelector('[data-testid=execution][data-status=completed]', { timeout: 30_000 });
    expect(await page.locator('[data-testid=run-graph] [data-testid=node-wait]').getAttribute('data-step')).toBe('completed');
    expect(await page.locator('[data-testid=run-graph] [data-testid=node-say]').getAttribute('data-step')).toBe('completed');
  });

  it('filters runs by status', async () => {
    await page.selectOption('[data-testid=status-filter]', 'failed');
    await page.waitForSelector('[data-testid=run-list] >> text=No runs with status failed');
    await page.selectOption('[data-testid=status-filter]', 'completed');
    await page.waitForSelector('[data-testid=run-list] .run-item');
  });

  it('shows the latest run\'s steps and logs below the canvas while editing, live as it runs', async () => {
    const wf = {
      name: 'Logs while editing',
      nodes: [
        { id: 'go', type: 'start', position: { x: 250, y: 40 }, data: { scheduleType: 'daily', time: '09:15' } },
        { id: 'wait', type: 'delay', position: { x: 250, y: 170 }, data: { delayValue: 3, delayUnit: 'seconds' } },
        { id: 'say', type: 'log', position: { x: 250, y: 300 }, data: { message: 'logged from {{missing.ref}}' } },
      ],
      edges: [{ id: 'e1', source: 'go', target: 'wait' }, { id: 'e2', source: 'wait', target: 'say' }],
    };
    const { body } = await server.api<{ id: string }>('POST', '/api/workflows/import', wf);
    await page.goto(`${server.url}/workflows/${body.id}`);
    await page.click('[data-testid=logs-toggle]');
    const panel = page.locator('[data-testid=log-panel]');
    await panel.locator('text=No runs yet').waitFor();
    // A run started elsewhere (here through the API, as an alert would) appears without leaving the editor.
    const run = await server.api<{ executionId: string }>('POST', `/api/workflows/${body.id}/execute`, {});
    expect(run.status).toBe(202);
    await panel.locator('[data-testid=log-steps] >> text=go').waitFor({ timeout: 15_000 });
    await panel.locator('text=logged from {{missing.ref}}').waitFor({ timeout: 30_000 });
    await panel.locator('.log-panel-head [data-status=completed]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=canvas]').isVisible()).toBe(true);
    // A step picked in the panel is the node selected on the canvas.
    await panel.locator('[data-testid=log-steps] button:has-text("say")').click();
    await page.waitForSelector('[data-testid=canvas] .react-flow__node.selected [data-testid=node-say]');
  });
});

describe('references before saving', () => {
  it("warns at the field about {{entry.price}} when the order node answers no price, and still saves", async () => {
    const wf = {
      name: 'Unknown output',
      nodes: [
        { id: 'hook', type: 'webhookTrigger', position: { x: 250, y: 40 }, data: {} },
        { id: 'buy', type: 'placeOrder', position: { x: 250, y: 170 }, data: { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1, outputVariable: 'entry' } },
        { id: 'tell', type: 'log', position: { x: 250, y: 300 }, data: { message: 'Bought #{{entry.orderid}} at {{entry.price}}' } },
      ],
      edges: [{ id: 'e1', source: 'hook', target: 'buy' }, { id: 'e2', source: 'buy', target: 'tell' }],
    };
    const { body } = await server.api<{ id: string }>('POST', '/api/workflows/import', wf);
    await page.goto(`${server.url}/workflows/${body.id}`);
    await page.locator('[data-testid=canvas] [data-testid=node-tell]').click();
    const warning = page.locator('[data-testid=field-warning-message]');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/^\{\{entry\.price\}\} refers to 'price', which Place order \(buy\) does not answer/);
    expect(await page.locator('[data-testid=validity]').textContent()).toBe('valid');
    await page.fill('[data-field=label] input', 'Tell');
    await page.click('[data-testid=save]');
    await page.locator('[data-testid=unsaved]').waitFor({ state: 'detached' });
    const saved = await server.api<{ nodes: Array<{ id: string; data: Record<string, unknown> }> }>('GET', `/api/workflows/${body.id}`);
    expect(saved.body.nodes.find((n) => n.id === 'tell')?.data).toMatchObject({ label: 'Tell', message: 'Bought #{{entry.orderid}} at {{entry.price}}' });
    // Fixed, the warning goes.
    await page.fill('[data-field=message] textarea, [data-field=message] input', 'Bought #{{entry.orderid}}');
    await warning.waitFor({ state: 'detached' });
  });
});
