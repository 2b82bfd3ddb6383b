import { describe, expect, it } from 'vitest';
import { literalRef } from './Ltp';
import { streamView } from './StreamPill';

describe('a node symbol worth a live price', () => {
  it('is a plain symbol and exchange, upper-cased', () => {
    expect(literalRef('sbin', 'NSE')).toEqual({ symbol: 'SBIN', exchange: 'NSE' });
    expect(literalRef('NIFTY28NOV2424000CE', 'NFO')).toEqual({ symbol: 'NIFTY28NOV2424000CE', exchange: 'NFO' });
  });

  it('is not a reference resolved only at run time, nor an empty or odd value', () => {
    expect(literalRef('{{webhook.symbol}}', 'NSE')).toBeNull();
    expect(literalRef('SBIN', '{{webhook.exchange}}')).toBeNull();
    expect(literalRef('', 'NSE')).toBeNull();
    expect(literalRef('SBIN', undefined)).toBeNull();
    expect(literalRef('SB IN', 'NSE')).toBeNull();
  });
});

describe('the market data pill', () => {
  const md = (stream: string, poll = 0, onStream = 0, source = 'stream', watches = 0) =>
    ({ stream, priceAlerts: { stream: onStream, poll, ticksHeldBack: 0 }, orderUpdates: { source, watches } });

  it('says live while the stream is up', () => {
    expect(streamView(md('live', 0, 3)).mode).toBe('live');
  });

  it('says polling when alerts poll because the stream is down or absent', () => {
    expect(streamView(md('down', 2, 0, 'poll')).label).toBe('polling (stream down)');
    expect(streamView(md('none', 1, 0, 'poll')).mode).toBe('polling');
    expect(streamView(md('connecting', 1)).label).toBe('polling (stream connecting)');
  });

  it('says off or idle when nothing watches the market', () => {
    expect(streamView(null).mode).toBe('off');
    expect(streamView(md('none')).label).toBe('no stream');
    expect(streamView(md('idle')).mode).toBe('idle');
  });
});
