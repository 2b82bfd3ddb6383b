import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldError } from '../../../src/contract/fields.js';
import { catalogue, defaultRegistry } from '../../../src/nodes/registry.js';
import type { FieldDef, NodeType } from '../types';
import { checkField, fieldMessage, fromInput, toInput } from './fields';

const nodes = catalogue(defaultRegistry) as unknown as NodeType[];
const placeOrder = nodes.find((n) => n.type === 'placeOrder')!;
const fieldOf = (node: NodeType, name: string) => node.fields.find((f) => f.name === name)!;

/** The server's verdict on a value: its FieldError message, or null when it parses. */
function serverSays(type: string, field: string, raw: unknown): string | null {
  const spec = defaultRegistry.get(type)!.fields[field];
  try {
    spec.parse(raw);
    return null;
  } catch (e) {
    if (e instanceof FieldError) return e.message;
    throw e;
  }
}

describe('client field checks', () => {
  it('word a quantity of 0 and an unknown exchange as the server does', () => {
    expect(checkField(fieldOf(placeOrder, 'quantity'), 0)).toBe('must be at least 1 (got 0)');
    expect(checkField(fieldOf(placeOrder, 'exchange'), 'XYZ')).toBe(serverSays('placeOrder', 'exchange', 'XYZ'));
    expect(checkField(fieldOf(placeOrder, 'symbol'), '')).toBe('is required');
  });

  it('take the other spellings the server takes for an enum (lT for <), as the catalogue lists them', () => {
    const operator = fieldOf(nodes.find((n) => n.type === 'priceCondition')!, 'operator');
    for (const raw of ['lT', 'GTE', '<>']) {
      expect(serverSays('priceCondition', 'operator', raw)).toBeNull();
      expect(checkField(operator, raw)).toBeNull();
    }
    expect(checkField(operator, 'around')).toBe(serverSays('priceCondition', 'operator', 'around'));
  });

  it('leave {{…}} references to run time', () => {
    expect(checkField(fieldOf(placeOrder, 'quantity'), '{{webhook.qty}}')).toBeNull();
    expect(checkField(fieldOf(placeOrder, 'action'), '{{webhook.action}}')).toBeNull();
  });

  it('never flag what the server accepts, and word what they flag as the server does, on every field', () => {
    // Some fields check more than the catalogue describes (symbols, exclusive minimums); the
    // server's live validation reports those. Whatever the client reports, the server reports too.
    const fields = nodes.flatMap((n) => n.fields
      .filter((f) => defaultRegistry.get(n.type)!.fields[f.name] && !(defaultRegistry.get(n.type)!.fields[f.name] as { positive?: boolean }).positive)
      .map((f) => ({ type: n.type, def: f })));
    const value = (def: FieldDef) => fc.oneof(
      fc.constantFrom(undefined, null, '', '  ', 0, -1, 1, 2.5, '7', 'abc', true, 'yes', '09:15', '25:00', '2026-01-31', '2026-13-01', '[1,2]', '{bad', [0, 1], [1.5]),
      fc.integer({ min: -10, max: 100 }),
      fc.double({ min: -5, max: 5, noNaN: true }),
      fc.string({ maxLength: 6 }),
      ...(def.options?.length ? [fc.constantFrom(...def.options).map((o) => o.toLowerCase())] : []),
      // Other spellings the server takes (`lt` for `<`), in any case: the client must take them too.
      ...(def.aliases && Object.keys(def.aliases).length ? [fc.constantFrom(...Object.keys(def.aliases)).map((a) => a.toUpperCase())] : []),
    );
    fc.assert(fc.property(fc.constantFrom(...fields).chain(({ type, def }) => fc.tuple(fc.constant(type), fc.constant(def), value(def))), ([type, def, raw]) => {
      const client = checkField(def, raw);
      const server = serverSays(type, def.name, raw);
      if (client !== null) expect(client).toBe(server);
      // Numbers, booleans, enums, times, dates and number lists have no hidden rules: there the two agree exactly.
      if (['number', 'integer', 'boolean', 'enum', 'time', 'date'].includes(def.kind) || (def.kind === 'list' && !def.options)) expect(client).toBe(server);
    }), { numRuns: 3000 });
  });
});

describe('form values', () => {
  it('store numbers as numbers, blank as absent, anything else as typed', () => {
    const qty = fieldOf(placeOrder, 'quantity');
    expect(fromInput(qty, '5')).toBe(5);
    expect(fromInput(qty, '')).toBeUndefined();
    expect(fromInput(qty, '{{webhook.qty}}')).toBe('{{webhook.qty}}');
    expect(fromInput(qty, 'five')).toBe('five');
  });

  it('parse JSON fields and numeric lists', () => {
    const json: FieldDef = { name: 'legs', kind: 'json', label: 'Legs' };
    expect(fromInput(json, '[{"a":1}]')).toEqual([{ a: 1 }]);
    expect(fromInput(json, '{{webhook.x}}')).toBe('{{webhook.x}}');
    expect(fromInput(json, '{bad')).toBe('{bad');
    const list: FieldDef = { name: 'days', kind: 'list', label: 'Days' };
    expect(fromInput(list, '0, 1,2')).toEqual([0, 1, 2]);
    expect(toInput([0, 1, 2])).toBe('0, 1, 2');
  });

  it('strip the node and field from a server message shown at its field', () => {
    expect(fieldMessage('node_3 placeOrder: quantity must be at least 1 (got 0)', 'node_3', 'placeOrder', 'quantity')).toBe('must be at least 1 (got 0)');
    expect(fieldMessage('something else', 'node_3', 'placeOrder', 'quantity')).toBe('something else');
  });
});
