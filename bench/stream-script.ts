// The scripted ticks of the stream bench, shared by the fake (which sends them) and the bench
// (which replays them offline to know every crossing that must fire).

/** A deterministic random walk: tick i moves symbol i % symbols.length by ±0.05..0.5 around 1000. */
export function stormTicks(seed: number, symbols: number, count: number): Float64Array {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4_294_967_296;
  };
  const price = new Float64Array(symbols).fill(1000);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % symbols;
    price[k] = Math.round((price[k] + (rnd() - 0.5) * 1) * 20) / 20;
    out[i] = price[k];
  }
  return out;
}

export const stormSymbol = (k: number) => `SYM${k}`;
