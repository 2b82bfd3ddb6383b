// A safe arithmetic evaluator for mathExpression: numbers, + - * / % **, parentheses, unary
// minus and a few functions. Recursive descent over tokens; nothing is ever run as code.

export class ExpressionError extends Error {
  /** 1-based character position the problem was found at. */
  constructor(message: string, readonly position: number) {
    super(`${message} at position ${position}`);
    this.name = 'ExpressionError';
  }
}

type Token =
  | { kind: 'num'; value: number; pos: number }
  | { kind: 'name'; value: string; pos: number }
  | { kind: 'op'; value: string; pos: number }
  | { kind: 'end'; pos: number };

const MAX_LENGTH = 2000;
const MAX_DEPTH = 100;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/i.exec(text.slice(i));
    if (num) {
      tokens.push({ kind: 'num', value: Number(num[0]), pos: i + 1 });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ kind: 'name', value: name[0], pos: i + 1 });
      i += name[0].length;
      continue;
    }
    if (text.startsWith('**', i)) {
      tokens.push({ kind: 'op', value: '**', pos: i + 1 });
      i += 2;
      continue;
    }
    if ('+-*/%(),'.includes(c)) {
      tokens.push({ kind: 'op', value: c, pos: i + 1 });
      i++;
      continue;
    }
    throw new ExpressionError(`unexpected character '${c}'`, i + 1);
  }
  tokens.push({ kind: 'end', pos: text.length + 1 });
  return tokens;
}

const FUNCTIONS: Record<string, { min: number; max: number; fn: (args: number[], pos: number) => number }> = {
  abs: { min: 1, max: 1, fn: ([x]) => Math.abs(x) },
  min: { min: 1, max: Infinity, fn: (a) => Math.min(...a) },
  max: { min: 1, max: Infinity, fn: (a) => Math.max(...a) },
  round: {
    min: 1, max: 2,
    fn: ([x, digits = 0], pos) => {
      if (!Number.isInteger(digits) || digits < 0 || digits > 10) throw new ExpressionError('round() digits must be a whole number from 0 to 10', pos);
      const k = 10 ** digits;
      // Half away from zero, on the decimal value the trader sees (1.005 → 1.01).
      return (Math.sign(x) * Math.round(Math.abs(x) * k + Number.EPSILON * k)) / k;
    },
  },
  floor: { min: 1, max: 1, fn: ([x]) => Math.floor(x) },
  ceil: { min: 1, max: 1, fn: ([x]) => Math.ceil(x) },
  sqrt: {
    min: 1, max: 1,
    fn: ([x], pos) => {
      if (x < 0) throw new ExpressionError(`sqrt() of a negative number (${x})`, pos);
      return Math.sqrt(x);
    },
  },
};

/** Evaluates an arithmetic expression; throws ExpressionError naming the position of the problem. */
export function evaluate(text: string): number {
  if (text.length > MAX_LENGTH) throw new ExpressionError(`expression is longer than ${MAX_LENGTH} characters`, MAX_LENGTH);
  const tokens = tokenize(text);
  if (tokens.length === 1) throw new ExpressionError('empty expression', 1);
  let at = 0;
  let depth = 0;
  const peek = () => tokens[at];
  const isOp = (v: string) => {
    const t = tokens[at];
    return t.kind === 'op' && t.value === v;
  };
  const describe = (t: Token) => (t.kind === 'end' ? 'end of expression' : `'${t.value}'`);
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExpressionError(`expected '${v}' but found ${describe(peek())}`, peek().pos);
    at++;
  };
  const checked = (n: number, pos: number) => {
    if (!Number.isFinite(n)) throw new ExpressionError('result is not a finite number', pos);
    return n;
  };

  // additive := multiplicative (('+' | '-') multiplicative)*
  function additive(): number {
    let left = multiplicative();
    while (isOp('+') || isOp('-')) {
      const op = tokens[at++];
      const right = multiplicative();
      left = checked(op.kind === 'op' && op.value === '+' ? left + right : left - right, op.pos);
    }
    return left;
  }
  // multiplicative := unary (('*' | '/' | '%') unary)*
  function multiplicative(): number {
    let left = unary();
    while (isOp('*') || isOp('/') || isOp('%')) {
      const op = tokens[at++] as Extract<Token, { kind: 'op' }>;
      const right = unary();
      if ((op.value === '/' || op.value === '%') && right === 0) throw new ExpressionError('division by zero', op.pos);
      // % follows the divisor's sign (as in Python, OpenAlgo's reference): -7 % 3 = 2.
      const value = op.value === '*' ? left * right : op.value === '/' ? left / right : left - right * Math.floor(left / right);
      left = checked(value, op.pos);
    }
    return left;
  }
  // unary := ('-' | '+') unary | power     (so -2 ** 2 = -4)
  function unary(): number {
    if (isOp('-') || isOp('+')) {
      const op = tokens[at++] as Extract<Token, { kind: 'op' }>;
      if (++depth > MAX_DEPTH) throw new ExpressionError('expression is nested too deeply', op.pos);
      const v = unary();
      depth--;
      return op.value === '-' ? -v : v;
    }
    return power();
  }
  // power := primary ('**' unary)?     (right-associative: 2 ** 3 ** 2 = 512)
  function power(): number {
    const base = primary();
    if (isOp('**')) {
      const op = tokens[at++];
      const exponent = unary();
      if (Math.abs(exponent) > 100) throw new ExpressionError(`exponent ${exponent} is too large (at most 100)`, op.pos);
      return checked(base ** exponent, op.pos);
    }
    return base;
  }
  // primary := number | name '(' args ')' | '(' additive ')'
  function primary(): number {
    const t = peek();
    if (t.kind === 'num') {
      at++;
      return t.value;
    }
    if (t.kind === 'name') {
      const fn = FUNCTIONS[t.value.toLowerCase()];
      if (!fn) throw new ExpressionError(`unknown name '${t.value}' (functions: ${Object.keys(FUNCTIONS).join(', ')})`, t.pos);
      at++;
      expect('(');
      const args: number[] = [];
      if (!isOp(')')) {
        args.push(nested());
        while (isOp(',')) {
          at++;
          args.push(nested());
        }
      }
      expect(')');
      if (args.length < fn.min || args.length > fn.max) {
        const want = fn.min === fn.max ? `${fn.min}` : fn.max === Infinity ? `at least ${fn.min}` : `${fn.min} to ${fn.max}`;
        throw new ExpressionError(`${t.value}() takes ${want} argument(s), got ${args.length}`, t.pos);
      }
      return checked(fn.fn(args, t.pos), t.pos);
    }
    if (isOp('(')) {
      at++;
      const v = nested();
      expect(')');
      return v;
    }
    throw new ExpressionError(t.kind === 'end' ? 'unexpected end of expression' : `unexpected ${describe(t)}`, t.pos);
  }
  function nested(): number {
    if (++depth > MAX_DEPTH) throw new ExpressionError('expression is nested too deeply', peek().pos);
    const v = additive();
    depth--;
    return v;
  }

  const value = additive();
  if (peek().kind !== 'end') throw new ExpressionError(`unexpected ${describe(peek())}`, peek().pos);
  return value;
}
