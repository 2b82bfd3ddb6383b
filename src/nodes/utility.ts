// Utility nodes: variables, waits, logs, alerts, outbound HTTP and arithmetic.

import { Agent, request } from 'undici';
import { zonedParts, zonedTimeToDate } from '../market/clock.js';
import { ExpressionError, evaluate } from './expression.js';
import { f } from '../contract/fields.js';
import { BlockedAddressError, guardedLookup, isNonPublicAddress, resolveAll } from './netguard.js';
import { aliasedEnum, anyValue, failure, parseNumber } from './shared.js';
import { defineNode, type NodeContext, type NodeDefinition, type NodeResult } from './types.js';

// ---- variable ----------------------------------------------------------------

export const VARIABLE_OPERATIONS = [
  'set', 'get', 'add', 'subtract', 'multiply', 'divide', 'increment', 'decrement', 'append', 'parse_json', 'stringify',
] as const;

const describeValue = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** A variable's value as a number: unset counts as 0 (a counter starts at zero), text must read as a number. */
function asNumber(v: unknown, what: string): number {
  if (v === undefined || v === null || v === '') return 0;
  const n = parseNumber(v);
  if (n === null) throw new Error(`${what} is ${describeValue(v)}, not a number`);
  return n;
}

const variable = defineNode({
  type: 'variable', instant: true,
  category: 'utility',
  label: 'Variable',
  description: 'Sets, reads or updates a run variable ({{variableName}}): set, get, add, subtract, multiply, divide, increment, decrement, append, parse_json, stringify. Dividing by zero is an error.',
  aliases: { name: 'variableName' },
  fields: {
    variableName: f.string({ label: 'Variable', required: true }),
    operation: f.enum(VARIABLE_OPERATIONS, { label: 'Operation', default: 'set' }),
    value: anyValue({ label: 'Value' }),
    sourceVariable: f.string({ label: 'Source variable', description: 'Left operand of add/subtract/multiply/divide (default: the variable itself)' }),
  },
  check(p) {
    if (p.variableName.trim() === 'webhook') return [{ field: 'variableName', message: "'webhook' is reserved for the trigger payload" }];
    return [];
  },
  async run(ctx, p): Promise<NodeResult> {
    const name = p.variableName.trim();
    const current = ctx.getVariable(name);
    let result: unknown;
    try {
      switch (p.operation) {
        case 'get':
          return { status: 'success', variable: name, value: current };
        case 'set':
          result = typeof p.value === 'string' && /^\s*[[{]/.test(p.value) ? parseOr(p.value, p.value) : p.value;
          break;
        case 'add':
        case 'subtract':
        case 'multiply':
        case 'divide': {
          let left: number;
          if (p.sourceVariable?.trim()) {
            const src = ctx.getVariable(p.sourceVariable.trim());
            if (src === undefined) return failure(`sourceVariable '${p.sourceVariable.trim()}' is not set`);
            left = asNumber(src, `sourceVariable '${p.sourceVariable.trim()}'`);
          } else {
            left = asNumber(current, `variable '${name}'`);
          }
          if (p.value === undefined || p.value === null || p.value === '') return failure(`value is required to ${p.operation}`);
          const right = asNumber(p.value, 'value');
          if (p.operation === 'divide' && right === 0) return failure(`cannot divide ${name} by zero`);
          result = p.operation === 'add' ? left + right : p.operation === 'subtract' ? left - right : p.operation === 'multiply' ? left * right : left / right;
          break;
        }
        case 'increment':
          result = asNumber(current, `variable '${name}'`) + 1;
          break;
        case 'decrement':
          result = asNumber(current, `variable '${name}'`) - 1;
          break;
        case 'append':
          if (current === undefined || current === null) result = [p.value];
          else if (Array.isArray(current)) result = [...current, p.value];
          else if (typeof current === 'string') result = current + (p.value === undefined || p.value === null ? '' : typeof p.value === 'string' ? p.value : JSON.stringify(p.value));
          else return failure(`cannot append to ${name}: it holds ${describeValue(current)}, not a list or text`);
          break;
        case 'parse_json': {
          const text = p.value ?? current;
          if (typeof text !== 'string') result = text;
          else {
            try {
              result = JSON.parse(text);
            } catch (e) {
              return failure(`value is not valid JSON: ${(e as Error).message}`);
            }
          }
          break;
        }
        case 'stringify':
          result = JSON.stringify(p.value !== undefined ? p.value : current) ?? '';
          break;
      }
    } catch (e) {
      return failure((e as Error).message);
    }
    ctx.setVariable(name, result);
    ctx.log(`${p.operation} ${name} = ${describeValue(result)}`);
    return { status: 'success', variable: name, value: result };
  },
});

function parseOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

// ---- waits -------------------------------------------------------------------

const UNIT_MS = { seconds: 1000, minutes: 60_000, hours: 3_600_000 } as const;
const MAX_DELAY_MS = 24 * 3_600_000;

const delay = defineNode({
  type: 'delay',
  category: 'utility',
  label: 'Delay',
  description: 'Waits, without blocking other runs; cancelling the run ends the wait.',
  aliases: { seconds: 'delayValue' },
  timeoutMs: null,
  fields: {
    delayValue: f.number({ label: 'Wait', default: 1, min: 0 }),
    delayUnit: f.enum(['seconds', 'minutes', 'hours'], { label: 'Unit', default: 'seconds' }),
  },
  check(p) {
    return p.delayValue * UNIT_MS[p.delayUnit] > MAX_DELAY_MS ? [{ field: 'delayValue', message: 'must be at most 24 hours' }] : [];
  },
  async run(ctx, p) {
    const ms = Math.round(p.delayValue * UNIT_MS[p.delayUnit]);
    ctx.log(`Waiting ${p.delayValue} ${p.delayUnit}`);
    await ctx.sleep(ms);
    return { status: 'success', message: `Waited ${p.delayValue} ${p.delayUnit}`, waited_ms: ms };
  },
});

const waitUntil = defineNode({
  type: 'waitUntil',
  category: 'utility',
  label: 'Wait until',
  description: 'Waits until a time of day (exchange time); a time already past today returns at once.',
  timeoutMs: null,
  fields: { targetTime: f.time({ label: 'Time', default: '09:30', seconds: true }) },
  // OpenAlgo execute_wait_until: HH:MM:SS honoured; a time already past answers waited false.
  async run(ctx, p) {
    const now = ctx.now();
    const z = zonedParts(now, ctx.timezone);
    const target = zonedTimeToDate(
      z.year, z.month, z.day, Number(p.targetTime.slice(0, 2)), Number(p.targetTime.slice(3, 5)), Number(p.targetTime.slice(6, 8) || 0), ctx.timezone,
    );
    const ms = target.getTime() - now.getTime();
    if (ms <= 0) {
      ctx.log(`${p.targetTime} has already passed; continuing`);
      return { status: 'success', waited: false, waited_ms: 0 };
    }
    ctx.log(`Waiting until ${p.targetTime} (${Math.round(ms / 1000)} s)`);
    await ctx.sleep(ms);
    return { status: 'success', waited: true, waited_ms: ms };
  },
});

// ---- log and alerts ----------------------------------------------------------

const log = defineNode({
  type: 'log', instant: true,
  category: 'utility',
  label: 'Log',
  description: 'Writes a message to the run log.',
  fields: {
    message: f.text({ label: 'Message', default: '' }),
    level: aliasedEnum(['info', 'warn', 'error', 'debug'] as const, { warning: 'warn' }, { label: 'Level', default: 'info' }),
  },
  async run(ctx, p) {
    ctx.log(p.message, p.level);
    return { status: 'success', message: p.message };
  },
});

async function notify(ctx: NodeContext, n: Parameters<NodeContext['notifier']['send']>[0]): Promise<NodeResult> {
  try {
    const sent = await ctx.notifier.send(n, ctx.signal);
    if (sent.delivered) ctx.log(`${n.channel} alert sent via ${sent.via}`);
    else ctx.log(`${n.channel} alert NOT delivered, only recorded in the run: ${sent.detail ?? 'no channel configured'}`, 'warn');
    return { status: 'success', message: n.message, ...sent, ...(sent.delivered ? {} : { note: `not delivered: recorded only (${sent.detail ?? 'no channel configured'})` }) };
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    return failure(`${n.channel} alert not sent: ${(e as Error).message}`);
  }
}

const telegramAlert = defineNode({
  type: 'telegramAlert',
  category: 'utility',
  label: 'Telegram alert',
  description: 'Sends a Telegram message: through OpenAlgo for its user, or a bot token and chat id; otherwise only recorded in the run.',
  fields: {
    message: f.text({ label: 'Message', required: true }),
    username: f.string({ label: 'OpenAlgo username' }),
  },
  async run(ctx, p) {
    return notify(ctx, { channel: 'telegram', message: p.message, ...(p.username?.trim() ? { username: p.username.trim() } : {}) });
  },
});

const whatsappAlert = defineNode({
  type: 'whatsappAlert',
  category: 'utility',
  label: 'WhatsApp alert',
  description: "Sends a WhatsApp message through OpenAlgo's paired WhatsApp bot (the OpenAlgo broker); with the paper broker it is recorded in the run.",
  fields: {
    to: f.string({ label: 'To', description: 'Phone digits, e.g. 919876543210; blank: the paired device', default: '' }),
    message: f.text({ label: 'Message', required: true }),
  },
  async run(ctx, p) {
    return notify(ctx, { channel: 'whatsapp', message: p.message, ...(p.to.trim() ? { to: p.to.trim() } : {}) });
  },
});

// ---- httpRequest -------------------------------------------------------------

const MAX_HTTP_TIMEOUT_MS = 60_000;
const MAX_RESPONSE_BYTES = 1 << 20;

/** The URL as it may be logged: no credentials, the query string hidden. */
export function redactUrl(url: string | URL): string {
  if (url instanceof URL) return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?[redacted]' : ''}`;
  return url.replace(/\/\/[^/@?#]*@/, '//').replace(/[?#].*$/, (m) => (m.startsWith('?') ? '?[redacted]' : ''));
}

// OpenAlgo execute_http_request: timeout in milliseconds, ≤ 0 means the 30 s default, capped at 60 s.
const httpTimeoutMs = (p: { timeout: number }) => Math.min(MAX_HTTP_TIMEOUT_MS, p.timeout > 0 ? Math.round(p.timeout) : 30_000);

const httpRequest = defineNode({
  type: 'httpRequest',
  category: 'utility',
  label: 'HTTP request',
  description: 'Calls an http(s) URL and stores {status, statusCode, data (JSON or text), headers}. Loopback and private addresses are refused unless allowed.',
  timeoutMs: (p) => httpTimeoutMs(p) + 5_000,
  aliases: { timeoutMs: 'timeout' },
  fields: {
    method: f.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], { label: 'Method', default: 'GET' }),
    url: f.string({ label: 'URL', required: true }),
    headers: anyValue({ label: 'Headers', description: 'Object or JSON string', default: {} }),
    body: anyValue({ label: 'Body', description: 'Sent for POST, PUT and PATCH' }),
    timeout: f.number({ label: 'Timeout (ms)', description: 'At most 60000; 0 or less: 30000', default: 30_000 }),
  },
  async run(ctx, p): Promise<NodeResult> {
    let url: URL;
    try {
      url = new URL(p.url.trim());
    } catch {
      return failure(`'${redactUrl(p.url)}' is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return failure(`only http and https URLs are allowed (got ${url.protocol})`);
    const shown = redactUrl(url);
    const headers = readHeaders(p.headers);
    if (!headers.ok) return failure(headers.message);

    if (!ctx.settings.allowPrivateHttp) {
      let addresses;
      try {
        addresses = await resolveAll(url.hostname);
      } catch (e) {
        return failure(`could not resolve ${url.hostname}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const bad = addresses.find((a) => isNonPublicAddress(a.address));
      if (bad) return failure(new BlockedAddressError(url.hostname, bad.address).message);
    }

    let body: string | undefined;
    if (p.method !== 'GET' && p.method !== 'DELETE' && p.body !== undefined && p.body !== '') {
      body = typeof p.body === 'string' ? p.body : JSON.stringify(p.body);
      const looksJson = typeof p.body !== 'string' || /^\s*[[{]/.test(p.body);
      if (looksJson && !Object.keys(headers.value).some((k) => k.toLowerCase() === 'content-type')) headers.value['content-type'] = 'application/json';
    }

    const timeoutMs = httpTimeoutMs(p);
    const timer = AbortSignal.timeout(timeoutMs);
    const dispatcher = new Agent({ connect: ctx.settings.allowPrivateHttp ? {} : { lookup: guardedLookup }, connections: 1 });
    ctx.log(`HTTP ${p.method} ${shown}`);
    try {
      const res = await request(url, {
        method: p.method, headers: headers.value, body, dispatcher,
        signal: AbortSignal.any([ctx.signal, timer]), headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
      });
      const text = await readCapped(res.body);
      let data: unknown = text;
      if (text.trim()) {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      const responseHeaders = Object.fromEntries(Object.entries(res.headers).filter(([k]) => k.toLowerCase() !== 'set-cookie'));
      ctx.log(`HTTP ${p.method} ${shown} answered ${res.statusCode}`, ok ? 'info' : 'warn');
      return {
        status: ok ? 'success' : 'error', statusCode: res.statusCode, data, headers: responseHeaders,
        ...(ok ? {} : { message: `${p.method} ${shown} answered HTTP ${res.statusCode}` }),
      };
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      if (timer.aborted) return failure(`${p.method} ${shown} timed out after ${timeoutMs / 1000} s`);
      const cause = (e as { cause?: unknown }).cause;
      const err = cause instanceof BlockedAddressError ? cause : (e as Error);
      return failure(`${p.method} ${shown} failed: ${err.message}`);
    } finally {
      dispatcher.destroy().catch(() => undefined);
    }
  },
});

function readHeaders(raw: unknown): { ok: true; value: Record<string, string> } | { ok: false; message: string } {
  let obj = raw ?? {};
  if (typeof obj === 'string') {
    if (!obj.trim()) obj = {};
    else {
      try {
        obj = JSON.parse(obj);
      } catch {
        return { ok: false, message: 'headers is not valid JSON' };
      }
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return { ok: false, message: 'headers must be an object of name: value' };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return { ok: false, message: `header ${k} must be text` };
    out[k] = String(v);
  }
  return { ok: true, value: out };
}

async function readCapped(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy?.();
      throw new Error(`the response is larger than ${MAX_RESPONSE_BYTES / (1 << 20)} MB`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

// ---- mathExpression and group ----------------------------------------------------

const mathExpression = defineNode({
  type: 'mathExpression', instant: true,
  category: 'utility',
  label: 'Math expression',
  description: 'Evaluates arithmetic (+ - * / % **, parentheses, abs, min, max, round, floor, ceil, sqrt) over interpolated values; the number goes to outputVariable (blank: result). Division by zero is an error.',
  fields: { expression: f.text({ label: 'Expression', required: true }) },
  // OpenAlgo execute_math_expression: the number is stored under outputVariable, `result` when blank.
  defaultOutputVariable: 'result',
  async run(ctx, p): Promise<NodeResult> {
    const unresolved = /\{\{\s*([^{}]*?)\s*\}\}/.exec(p.expression);
    if (unresolved) return failure(`expression '${p.expression}' has an unresolved {{${unresolved[1]}}}`);
    try {
      const result = evaluate(p.expression);
      ctx.log(`${p.expression} = ${result}`);
      return { status: 'success', expression: p.expression, interpolated: p.expression, result, output: result };
    } catch (e) {
      if (e instanceof ExpressionError) return failure(`${e.message} in '${p.expression}'`);
      throw e;
    }
  },
});

const group = defineNode({
  type: 'group', instant: true,
  category: 'utility',
  label: 'Group',
  description: 'A visual container in the editor; does nothing when reached.',
  fields: { color: f.enum(['default', 'blue', 'green', 'red', 'purple', 'orange'], { label: 'Colour', default: 'default' }) },
  async run() {
    return { status: 'success' };
  },
});

export const nodes: NodeDefinition<any>[] = [
  variable, delay, waitUntil, log, telegramAlert, whatsappAlert, httpRequest, mathExpression, group,
];
