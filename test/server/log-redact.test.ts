// The server log hides secret-looking keys at any depth and URL query secrets (DESIGN.md §6), in
// records and in a child logger's bindings, and leaves everything else as it was.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/log.js';

describe('the log hides secrets', () => {
  it('keys named like secrets at any depth, a URL secret, and child bindings', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', pretty: false, sink: { write: (l: string) => lines.push(l) } });
    const record = { apikey: 'k-123', nested: { token: 't-456', deeper: { password: 'p-789' } }, headers: { authorization: 'Bearer b-000' }, url: 'https://x.test/?secret=s-111&a=1', keep: 'visible' };
    log.info(record, 'hello');
    log.child({ part: 'runtime', secret: 's-222' }).warn({ n: 1 }, 'child');
    const text = lines.join('');
    for (const s of ['k-123', 't-456', 'p-789', 'b-000', 's-111', 's-222']) expect(text).not.toContain(s);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({ msg: 'hello', apikey: '[redacted]', nested: { token: '[redacted]', deeper: { password: '[redacted]' } }, headers: { authorization: '[redacted]' }, url: 'https://x.test/?secret=[redacted]&a=1', keep: 'visible' });
    expect(second).toMatchObject({ msg: 'child', part: 'runtime', secret: '[redacted]', n: 1 });
    // An Error (or a request: objects with cycles) is left to pino's serializers; the rest is still hidden.
    const err = new Error('boom');
    log.error({ err, apikey: 'k-333', nested: { secret: 's-444' } }, 'failed');
    const third = JSON.parse(lines[2]);
    expect(third).toMatchObject({ msg: 'failed', apikey: '[redacted]', nested: { secret: '[redacted]' }, err: { message: 'boom', type: 'Error' } });
    // The caller's object is not changed.
    expect(record.apikey).toBe('k-123');
  });
});
