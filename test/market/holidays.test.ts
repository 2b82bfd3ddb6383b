// One holiday source: the paper broker's trading days, holidays answer, timings and expiries all
// come from market/calendar.ts and its holidays.json.

import { describe, expect, it } from 'vitest';
import { PaperBroker } from '../../src/broker/paper/index.js';
import { isTradingDay } from '../../src/broker/paper/calendar.js';
import { dayFromYmd } from '../../src/broker/paper/clock.js';
import { defaultCalendar, holidaysFor } from '../../src/market/calendar.js';

const ist = (wall: string) => new Date(`${wall}+05:30`);
const paper = (wall = '2026-01-12T10:30:00') => new PaperBroker({ now: () => ist(wall) });
const day = (iso: string) => dayFromYmd(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
const at = (iso: string, hhmm: string) => ist(`${iso}T${hhmm}:00`).getTime();

describe('one holiday list', () => {
  it('the paper market is shut on every NSE holiday the calendar ships, the 15 January 2026 civic-poll closure included', () => {
    for (const year of [2025, 2026]) {
      for (const h of holidaysFor('NSE', year)) expect(isTradingDay(day(h.date)), h.date).toBe(false);
    }
    expect(isTradingDay(day('2026-01-15'))).toBe(false);
    expect(isTradingDay(day('2026-01-16'))).toBe(true);
    expect(isTradingDay(day('2026-01-17'))).toBe(false); // Saturday
  });

  it('a special session is not a regular paper day: Muhurat (a Tuesday) and a Sunday Budget session', () => {
    expect(defaultCalendar().sessionFor('NSE', '2025-10-21')?.special).toBe(true);
    expect(isTradingDay(day('2025-10-21'))).toBe(false);
    expect(defaultCalendar().isTradingDay('2026-02-01', 'NSE')).toBe(true);
    expect(isTradingDay(day('2026-02-01'))).toBe(false);
  });

  it("the paper broker's holidays answer lists the calendar's days in OpenAlgo's shape", async () => {
    const answer = await paper().holidays({ year: 2026 });
    expect(answer.data!.map((h) => h.date)).toEqual(defaultCalendar().listedDays(2026).map((d) => d.date));
    const civic = answer.data!.find((h) => h.date === '2026-01-15')!;
    expect(civic).toMatchObject({ holiday_type: 'TRADING_HOLIDAY', description: 'Municipal Corporation elections in Maharashtra' });
    expect(civic.closed_exchanges).toEqual(['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD']);
    expect(civic.open_exchanges).toEqual([{ exchange: 'MCX', start_time: at('2026-01-15', '17:00'), end_time: at('2026-01-15', '23:55') }]);
    expect(answer.data!.find((h) => h.date === '2026-04-03')).toMatchObject({ holiday_type: 'TRADING_HOLIDAY', open_exchanges: [] });
    expect(answer.data!.find((h) => h.date === '2026-02-01')).toMatchObject({ holiday_type: 'SPECIAL_SESSION', closed_exchanges: [] });
    const muhurat = (await paper().holidays({ year: 2025 })).data!.find((h) => h.date === '2025-10-21')!;
    expect(muhurat.holiday_type).toBe('SPECIAL_SESSION');
    expect(muhurat.open_exchanges).toContainEqual({ exchange: 'NSE', start_time: at('2025-10-21', '13:45'), end_time: at('2025-10-21', '14:45') });
  });
});

describe('paper timings follow the calendar', () => {
  it('NFO and BFO close at 15:40 from 3 August 2026; NSE and BSE keep 15:30', async () => {
    const before = (await paper().timings({ date: '2026-07-31' })).data!;
    const after = (await paper().timings({ date: '2026-08-03' })).data!;
    const end = (rows: typeof after, ex: string) => rows.find((r) => r.exchange === ex)!.end_time;
    expect(end(before, 'NFO')).toBe(at('2026-07-31', '15:30'));
    expect(end(after, 'NFO')).toBe(at('2026-08-03', '15:40'));
    expect(end(after, 'BFO')).toBe(at('2026-08-03', '15:40'));
    expect(end(after, 'NSE')).toBe(at('2026-08-03', '15:30'));
    expect(after.map((r) => r.exchange)).toEqual(['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD', 'MCX']);
    expect(after.find((r) => r.exchange === 'MCX')).toEqual({ exchange: 'MCX', start_time: at('2026-08-03', '09:00'), end_time: at('2026-08-03', '23:55') });
  });

  it('on an equity holiday only MCX trades, its evening session; on Good Friday nothing; on a Saturday nothing', async () => {
    expect((await paper().timings({ date: '2026-03-03' })).data).toEqual([
      { exchange: 'MCX', start_time: at('2026-03-03', '17:00'), end_time: at('2026-03-03', '23:55') },
    ]);
    expect((await paper().timings({ date: '2026-04-03' })).data).toEqual([]);
    expect((await paper().timings({ date: '2026-05-02' })).data).toEqual([]);
  });
});

describe('expiries move for holidays', () => {
  it('a NIFTY weekly falling on Holi (Tuesday 3 March 2026) expires the Monday before', async () => {
    const list = (await paper('2026-02-27T10:00:00').expiry({ symbol: 'NIFTY', exchange: 'NFO', instrumenttype: 'options' })).data as string[];
    expect(list).toContain('02-MAR-26');
    expect(list).not.toContain('03-MAR-26');
    expect(list).toContain('10-MAR-26');
  });

  it('the March 2026 SENSEX monthly (last Thursday, 26 March, Ram Navami) moves to the 25th', async () => {
    const list = (await paper('2026-03-02T10:00:00').expiry({ symbol: 'SENSEX', exchange: 'BFO', instrumenttype: 'futures' })).data as string[];
    expect(list[0]).toBe('25-MAR-26');
  });
});

describe('paper contracts live until the F&O close', () => {
  const nifty = (wall: string) => paper(wall).expiry({ symbol: 'NIFTY', exchange: 'NFO', instrumenttype: 'options' }).then((r) => (r.data as string[])[0]);
  it('until 15:30 before 3 August 2026, until 15:40 from then on', async () => {
    expect(await nifty('2026-07-28T15:29:00')).toBe('28-JUL-26');
    expect(await nifty('2026-07-28T15:31:00')).toBe('04-AUG-26');
    expect(await nifty('2026-08-04T15:35:00')).toBe('04-AUG-26');
    expect(await nifty('2026-08-04T15:39:00')).toBe('04-AUG-26');
    expect(await nifty('2026-08-04T15:40:00')).toBe('11-AUG-26');
  });
});
