import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/broker/openalgo/limiter.js';

const now = () => performance.now();

// Windows are one second long, so the timing tests run side by side.
describe.concurrent('RateLimiter', () => {
  it('lets a full window through at once, then makes the next caller wait for the window to pass', async () => {
    const limiter = new RateLimiter(5);
    const start = now();
    const grants: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const release = await limiter.acquire();
        grants.push(now() - start);
        release();
      }),
    );
    grants.sort((a, b) => a - b);
    expect(grants[4]).toBeLessThan(200);
    expect(grants[5]).toBeGreaterThanOrEqual(990);
    expect(grants[9]).toBeLessThan(1600);
  });

  it('never has more than N calls inside any one-second window', async () => {
    const limiter = new RateLimiter(4);
    const start = now();
    const grants: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const release = await limiter.acquire();
        grants.push(now() - start);
        setTimeout(release, Math.random() * 30);
      }),
    );
    grants.sort((a, b) => a - b);
    for (let i = 4; i < grants.length; i++) expect(grants[i] - grants[i - 4]).toBeGreaterThanOrEqual(999);
  });

  it('counts a held slot until it is released, then a full window after', async () => {
    const limiter = new RateLimiter(1);
    const release = await limiter.acquire();
    let second = 0;
    const start = now();
    const waiting = limiter.acquire().then((r) => {
      second = now() - start;
      r();
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(second).toBe(0); // still held
    release();
    await waiting;
    expect(second).toBeGreaterThanOrEqual(1290);
  });

  it('serves waiters in arrival order', async () => {
    const limiter = new RateLimiter(3);
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => limiter.acquire().then((release) => { order.push(i); release(); })),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('rejects a waiting caller when its signal aborts, and the next caller takes its turn', async () => {
    const limiter = new RateLimiter(1);
    (await limiter.acquire())();
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal);
    const next = limiter.acquire();
    controller.abort(new Error('run cancelled'));
    await expect(aborted).rejects.toThrow('run cancelled');
    const release = await next;
    release();
    expect(limiter.pending).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const limiter = new RateLimiter(1);
    await expect(limiter.acquire(AbortSignal.abort())).rejects.toBeDefined();
  });

  it('tryAcquire takes a slot only when one is free and never waits', () => {
    const limiter = new RateLimiter(3);
    expect([limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire()]).toEqual([true, true, true, false]);
  });

  it('treats 0 and Infinity as unlimited', async () => {
    for (const rate of [0, Infinity]) {
      const limiter = new RateLimiter(rate);
      for (let i = 0; i < 1000; i++) expect(limiter.tryAcquire()).toBe(true);
      (await limiter.acquire())();
    }
  });

  it('a fractional rate spreads calls over a longer window', async () => {
    const limiter = new RateLimiter(2.5); // 2 per 800 ms
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    await new Promise((r) => setTimeout(r, 820));
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('is cheap: 100,000 acquisitions at 100,000/s take well under a second', async () => {
    const limiter = new RateLimiter(100_000);
    const start = now();
    for (let i = 0; i < 100_000; i++) (await limiter.acquire())();
    expect(now() - start).toBeLessThan(1000);
    const unlimited = new RateLimiter(Infinity);
    const t = now();
    for (let i = 0; i < 100_000; i++) (await unlimited.acquire())();
    expect(now() - t).toBeLessThan(500);
  });

  it('refuses a negative rate', () => {
    expect(() => new RateLimiter(-1)).toThrow(RangeError);
  });
});
