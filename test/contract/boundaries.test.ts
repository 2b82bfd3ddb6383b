// src/contract/ is the one module both the server and the browser import (DESIGN.md §2: the UI
// depends on the HTTP API and these shared types and parsers only).

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXECUTION_STATUSES } from '../../src/contract/api.js';
import { NUMERIC, parseNumber } from '../../src/contract/number.js';
import { EXECUTION_STATUSES as STORED_STATUSES } from '../../src/store/types.js';
import { hasTemplate } from '../../src/contract/template.js';

const root = join(import.meta.dirname, '../..');

function files(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => join(e.parentPath, e.name));
}

const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'";]*?from\s+'([^']+)'/gm)].map((m) => m[1]);

describe('src/contract', () => {
  it('imports nothing but itself and zod: no server code, no Node built-ins', () => {
    const bad = files(join(root, 'src/contract'), (n) => n.endsWith('.ts'))
      .flatMap((f) => imports(f).filter((i) => !i.startsWith('./') && i !== 'zod').map((i) => `${relative(root, f)} imports ${i}`));
    expect(bad).toEqual([]);
  });

  it('is the only part of src/ the browser code imports (tests may compare with the server)', () => {
    const bad = files(join(root, 'ui/src'), (n) => /\.tsx?$/.test(n) && !/\.test\.tsx?$/.test(n))
      .flatMap((f) => imports(f).filter((i) => /(\.\.\/)+src\//.test(i) && !/(\.\.\/)+src\/contract\//.test(i)).map((i) => `${relative(root, f)} imports ${i}`));
    expect(bad).toEqual([]);
  });

  it('reads numbers as OpenAlgo sends them, and nothing else', () => {
    expect(['1234.50', ' -2e3 ', '+.5', '7.', '1E2'].map(parseNumber)).toEqual([1234.5, -2000, 0.5, 7, 100]);
    expect(['', '1,000', '0x10', 'NaN', 'Infinity', '1e', '--1'].map(parseNumber)).toEqual([null, null, null, null, null, null, null]);
    expect([Infinity, NaN, null, undefined, true].map(parseNumber)).toEqual([null, null, null, null, null]);
    expect(NUMERIC.test('12')).toBe(true);
  });

  it('takes a {{path}} as a template only when the path is well formed', () => {
    expect(hasTemplate('Bought {{ entry.price }}')).toBe(true);
    expect(hasTemplate({ legs: [{ quantity: '{{webhook.qty}}' }] })).toBe(true);
    expect(hasTemplate('{{ }}')).toBe(false);
    expect(hasTemplate('{{a..b}}')).toBe(false);
    expect(hasTemplate('no template')).toBe(false);
  });

  it("names the run statuses the store keeps (the UI's filters and colours read these)", () => {
    expect([...EXECUTION_STATUSES].sort()).toEqual([...STORED_STATUSES].sort());
  });
});
