import { describe, expect, it } from 'vitest';
import { parsePath } from '../../src/contract/template.js';
import { interpolateDeep, interpolateString, type Scope } from '../../src/engine/interpolate.js';
import { builtins } from '../../src/market/clock.js';

const scope = (variables: Record<string, unknown> = {}, webhook: Record<string, unknown> = {}): Scope => ({
  variables, webhook, now: new Date('2026-04-29T03:45:42.123Z'), timezone: 'Asia/Kolkata',
});

describe('interpolation', () => {
  it('resolves dotted paths and [n] indexes', () => {
    const s = scope({ chain: { data: { results: [{ ce: { ltp: 101.5 } }] } } });
    expect(interpolateString('CE {{chain.data.results[0].ce.ltp}}', s, [])).toBe('CE 101.5');
  });

  it('keeps the type when a field is exactly one reference', () => {
    const s = scope({ q: { data: { ltp: 625.5, bids: [1, 2] } } }, { qty: 10 });
    expect(interpolateString('{{webhook.qty}}', s, [])).toBe(10);
    expect(interpolateString('{{ q.data.bids }}', s, [])).toEqual([1, 2]);
    expect(interpolateString('qty {{webhook.qty}}', s, [])).toBe('qty 10');
  });

  it('leaves unresolved references literal and reports them', () => {
    const unresolved: string[] = [];
    expect(interpolateString('buy {{webhook.qty}} of {{nope.x}}', scope(), unresolved)).toBe('buy {{webhook.qty}} of {{nope.x}}');
    expect(unresolved).toEqual(['webhook.qty', 'nope.x']);
  });

  it('never evaluates code', () => {
    const unresolved: string[] = [];
    expect(interpolateString('{{process.exit(1)}}', scope(), unresolved)).toBe('{{process.exit(1)}}');
    expect(interpolateString('{{constructor.constructor}}', scope({}), [])).toBe('{{constructor.constructor}}');
    expect(interpolateString('{{a.__proto__}}', scope({ a: {} }), [])).toBe('{{a.__proto__}}');
  });

  it('interpolates inside objects and arrays without mutating them', () => {
    const legs = [{ offset: '{{webhook.offset}}', quantity: 1 }];
    const out = interpolateDeep(legs, scope({}, { offset: 'ATM' }), []);
    expect(out).toEqual([{ offset: 'ATM', quantity: 1 }]);
    expect(legs[0].offset).toBe('{{webhook.offset}}');
  });

  it('a built-in wins over a variable of the same name, as OpenAlgo (WorkflowContext.interpolate checks built-ins first)', () => {
    const s = scope({ date: 'mine', time: { x: 1 } });
    expect(interpolateString('{{date}}', s, [])).toBe('2026-04-29');
    expect(interpolateString('{{time.x}}', s, [])).toBe(1); // a dotted path is never a built-in
  });

  it('a path that ends at null is unresolved, as OpenAlgo (_walk_path treats None as unresolved)', () => {
    const unresolved: string[] = [];
    expect(interpolateString('{{q.ltp}}', scope({ q: { ltp: null } }), unresolved)).toBe('{{q.ltp}}');
    expect(interpolateString('at {{q.ltp}}', scope({ q: { ltp: null } }), unresolved)).toBe('at {{q.ltp}}');
    expect(unresolved).toEqual(['q.ltp', 'q.ltp']);
  });

  it('inside text, booleans render as true/false and objects as JSON (OpenAlgo: Python str(); a listed difference)', () => {
    const s = scope({ ok: true, o: { a: 1 }, l: [1, 'x'] });
    expect(interpolateString('{{ok}} {{o}} {{l}}', s, [])).toBe('true {"a":1} [1,"x"]');
  });

  it('parses paths strictly', () => {
    expect(parsePath('a.b[2].c')).toEqual(['a', 'b', 2, 'c']);
    expect(parsePath('a..b')).toBeNull();
    expect(parsePath('a[-1]')).toBeNull();
  });
});

describe('built-ins', () => {
  it('are computed in IST whatever the machine TZ is', () => {
    const old = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const b = builtins(new Date('2026-04-29T03:45:42.123Z'), 'Asia/Kolkata');
      expect(b).toMatchObject({ date: '2026-04-29', time: '09:15:42', hour: '09', minute: '15', weekday: 'Wednesday', weekday_num: 3, timestamp: '2026-04-29 09:15:42' });
      expect(b.iso_timestamp).toBe('2026-04-29T09:15:42.123+05:30');
      expect(interpolateString('{{time}} on {{weekday}}', scope(), [])).toBe('09:15:42 on Wednesday');
    } finally {
      if (old === undefined) delete process.env.TZ;
      else process.env.TZ = old;
    }
  });

  it('session_date rolls over at 03:00 IST', () => {
    expect(builtins(new Date('2026-04-28T20:00:00Z')).session_date).toBe('2026-04-28'); // 01:30 IST on the 29th
    expect(builtins(new Date('2026-04-28T22:00:00Z')).session_date).toBe('2026-04-29'); // 03:30 IST
  });

});

describe('redaction', async () => {
  const { redact } = await import('../../src/engine/redact.js');
  it('hides secret-looking keys and URL query secrets at any depth', () => {
    const out = redact({ url: 'https://x.example/hook?token=abc123&symbol=SBIN', headers: { Authorization: 'Bearer zzz' }, nested: [{ apikey: 'k' }], plain: 'token=abc' });
    expect(out).toEqual({ url: 'https://x.example/hook?token=[redacted]&symbol=SBIN', headers: { Authorization: '[redacted]' }, nested: [{ apikey: '[redacted]' }], plain: 'token=abc' });
  });
});

describe('secrets rendered into text', async () => {
  const { secretScrubber } = await import('../../src/engine/redact.js');

  it('an object rendered into text keeps no secret-named key\'s value; a field that is exactly the object keeps it whole', () => {
    const s = scope({}, { symbol: 'SBIN', apikey: 'k-123', auth: { password: 'p-456', Token: 't-789' } });
    const text = interpolateString('got {{webhook}} / {{webhook.auth}}', s, []) as string;
    expect(text).toBe('got {"symbol":"SBIN","apikey":"[redacted]","auth":{"password":"[redacted]","Token":"[redacted]"}} / {"password":"[redacted]","Token":"[redacted]"}');
    // The value itself (an order field, an HTTP body object) is data, not text: it is not altered.
    expect(interpolateString('{{webhook.auth}}', s, [])).toEqual({ password: 'p-456', Token: 't-789' });
  });

  it('the scrubber replaces known secret values plain, JSON-escaped and URL-encoded, in strings and keys, at any depth', () => {
    const key = 'ab/c+d "e" \\f:g';
    const scrub = secretScrubber([key, 'bot-token-1234', undefined, 'short']);
    const value = {
      plain: `key ${key}!`,
      json: JSON.stringify({ k: key }),
      nested: [{ url: `https://x.test/?k=${encodeURIComponent(key)}&b=bot-token-1234` }, new URLSearchParams({ k: key }).toString()],
      twice: JSON.stringify(JSON.stringify({ k: key })),
      [`bot-token-1234`]: 1,
      short: 'short stays: too short to scrub safely',
      n: 5,
    };
    const out = scrub(value);
    const text = JSON.stringify(out);
    for (const form of [key, JSON.stringify(key).slice(1, -1), encodeURIComponent(key), 'bot-token-1234']) expect(text).not.toContain(form);
    expect(out.plain).toBe('key [redacted]!');
    expect(out.short).toBe('short stays: too short to scrub safely');
    expect(out.n).toBe(5);
    expect(value.plain).toBe(`key ${key}!`); // the input is not mutated
  });

  it('the scrubber hands back the very value when there is nothing to hide (no copy)', () => {
    const scrub = secretScrubber(['bot-token-1234']);
    const value = { a: [1, 'x', { b: 'y' }] };
    expect(scrub(value)).toBe(value);
    expect(secretScrubber([])(value)).toBe(value);
  });
});
