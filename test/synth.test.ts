import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fit } from '../src/index.js';
import { readTable } from '../src/io/read-table.js';
import { PERSONAS, writeCustomers } from '../src/synth/customers.js';
import { gpuseg, tempDir } from './helpers/cli.js';

const BEHAVIOUR = [
  'recency_days',
  'frequency',
  'monetary',
  'avg_order_value',
  'tenure_days',
  'return_rate',
  'sessions_per_month',
  'email_open_rate',
  'discount_share',
];
const SKEWED = [
  'recency_days',
  'frequency',
  'monetary',
  'avg_order_value',
  'tenure_days',
  'sessions_per_month',
];

describe('synthetic customers', () => {
  test('seeded, batched, and the same seed gives the same file', async () => {
    const dir = tempDir();
    await writeCustomers(join(dir, 'a.arrows'), 5000, 3, 1024);
    await writeCustomers(join(dir, 'b.arrows'), 5000, 3, 1024);
    expect(readFileSync(join(dir, 'a.arrows'))).toEqual(readFileSync(join(dir, 'b.arrows')));
    const t = await readTable(join(dir, 'a.arrows'));
    expect(t.numRows).toBe(5000);
    expect(t.batches.length).toBe(5);
    expect(t.getChild('customer_id')!.get(4999)).toBe(4999);
    const r = gpuseg([
      'generate',
      '--rows',
      '1000',
      '--seed',
      '3',
      '--batch-rows',
      '1024',
      '--output',
      join(dir, 'c.arrows'),
    ]);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'c.arrows')).length).toBeGreaterThan(0);
  });

  test('segmenting them finds the personas they were drawn from, and names them', async () => {
    const dir = tempDir();
    await writeCustomers(join(dir, 'c.arrows'), 30_000, 11);
    const table = await readTable(join(dir, 'c.arrows'));
    const r = await fit(table, {
      k: PERSONAS.length,
      features: BEHAVIOUR,
      log: SKEWED,
      id: 'customer_id',
      backend: 'cpu',
      nInit: 3,
    });
    const truth = table.getChild('true_persona')!;
    // Purity: the share of customers whose segment's majority persona is their own.
    const counts = Array.from({ length: PERSONAS.length }, () => new Map<string, number>());
    for (let i = 0; i < table.numRows; i++)
      counts[r.labels[i]].set(truth.get(i), (counts[r.labels[i]].get(truth.get(i)) ?? 0) + 1);
    const majority = counts.map((m) =>
      [...m.entries()].reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]),
    );
    const purity = majority.reduce((s, [, n]) => s + n, 0) / table.numRows;
    expect(purity).toBeGreaterThan(0.85);
    // The persona rules name most segments after the persona most of their customers came from.
    const named = r.names!.filter((name, c) => name === majority[c][0]).length;
    expect(named).toBeGreaterThanOrEqual(5);
  });
});
