import { describe, expect, it } from 'vitest';
import { builtins, isoTimestamp } from '../../src/market/clock.js';

describe('isoTimestamp (a trigger payload\'s triggered_at)', () => {
  it('is the iso_timestamp builtin, across zones, half-hour offsets and both DST changes', () => {
    const zones = ['Asia/Kolkata', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC', 'America/St_Johns'];
    // Around the 2026 DST changes (US 8 Mar / 1 Nov, EU 29 Mar / 25 Oct, Lord Howe 5 Apr / 4 Oct), and a sample of the year.
    const instants: number[] = [];
    for (const day of ['2026-03-08T06:00:00Z', '2026-03-29T00:30:00Z', '2026-04-04T14:30:00Z', '2026-10-03T15:00:00Z', '2026-10-25T00:30:00Z', '2026-11-01T05:30:00Z']) {
      const t = Date.parse(day);
      for (let m = -90; m <= 90; m += 7) instants.push(t + m * 60_000 + 123);
    }
    for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 97 * 3_600_000 + 59_999) instants.push(t);
    for (const tz of zones) {
      for (const t of instants) expect(isoTimestamp(t, tz), `${tz} ${new Date(t).toISOString()}`).toBe(builtins(new Date(t), tz).iso_timestamp);
    }
  });

  it('answers IST with its +05:30 offset and milliseconds', () => {
    expect(isoTimestamp(Date.parse('2026-05-04T04:00:00.007Z'), 'Asia/Kolkata')).toBe('2026-05-04T09:30:00.007+05:30');
  });
});
