import { describe, expect, it } from 'vitest';
import { ExpressionError, evaluate } from '../../src/nodes/expression.js';

describe('expression evaluator', () => {
  it('follows arithmetic precedence and associativity', () => {
    expect(evaluate('1 + 2 * 3')).toBe(7);
    expect(evaluate('(1 + 2) * 3')).toBe(9);
    expect(evaluate('10 - 4 - 3')).toBe(3);
    expect(evaluate('2 ** 3 ** 2')).toBe(512);
    expect(evaluate('-2 ** 2')).toBe(-4);
    expect(evaluate('2 ** -1')).toBe(0.5);
    expect(evaluate('100 / 8 / 5')).toBe(2.5);
    expect(evaluate('7 % 3 + 1')).toBe(2);
    expect(evaluate('--3')).toBe(3);
  });

  it('takes the sign of the divisor for % (as OpenAlgo’s Python does)', () => {
    expect(evaluate('-7 % 3')).toBe(2);
    expect(evaluate('7 % -3')).toBe(-2);
  });

  it('reads decimals and exponents', () => {
    expect(evaluate('.5 + 1.25 + 2e2')).toBe(201.75);
    expect(evaluate('1502.35 * 0.995')).toBeCloseTo(1494.83825, 8);
  });

  it('offers abs, min, max, round, floor, ceil and sqrt', () => {
    expect(evaluate('abs(-3) + min(4, 2, 9) + max(1, 5)')).toBe(10);
    expect(evaluate('round(2.5) + round(-2.5)')).toBe(0);
    expect(evaluate('round(1.005, 2)')).toBe(1.01);
    expect(evaluate('floor(0.05 * 1000000 / 1502.35)')).toBe(33);
    expect(evaluate('ceil(1.1) + sqrt(16)')).toBe(6);
  });

  it('errors on division by zero, naming the position', () => {
    expect(() => evaluate('10 / (5 - 5)')).toThrow(new ExpressionError('division by zero', 4));
    expect(() => evaluate('1 % 0')).toThrow(/division by zero at position 3/);
  });

  it('errors on bad input, naming the position, and never runs code', () => {
    expect(() => evaluate('1 + ')).toThrow(/unexpected end of expression at position 5/);
    expect(() => evaluate('2 * (3 + 4')).toThrow(/expected '\)' but found end of expression/);
    expect(() => evaluate('exit(1)')).toThrow(/unknown name 'exit' .* at position 1/);
    expect(() => evaluate('process.exit(1)')).toThrow(/unexpected character '.' at position 8/);
    expect(() => evaluate('{{ltp}} * 2')).toThrow(/unexpected character '\{' at position 1/);
    expect(() => evaluate('1 2')).toThrow(/unexpected '2' at position 3/);
    expect(() => evaluate('sqrt(-1)')).toThrow(/negative/);
    expect(() => evaluate('max()')).toThrow(/max\(\) takes at least 1 argument/);
    expect(() => evaluate('')).toThrow(/empty expression/);
    expect(() => evaluate('10 ** 1000')).toThrow(/too large/);
    expect(() => evaluate('('.repeat(500) + '1' + ')'.repeat(500))).toThrow(/nested too deeply/);
  });
});
