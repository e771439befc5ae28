import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { readTable } from '../src/io/read-table.js';
import { tempDir } from './helpers/cli.js';

/**
 * Issue 11's reader cases as properties over random CSVs: whatever the encoding (UTF-8, with a
 * BOM, UTF-16 LE/BE), line ends (mixed per line), delimiter, gzip, missing markers and thousands
 * separators, every id comes back exactly as written and every number as its value.
 */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const MISSING = ['', 'NA', 'N/A', '#N/A', 'null', 'NULL', 'None', '-'];

interface Case {
  bytes: Buffer;
  gz: boolean;
  thousands: ',' | '.' | 'space' | undefined;
  ids: string[];
  bigIds: boolean;
  values: (number | null)[];
  names: string[];
}

function makeCase(seed: number): Case {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const thousands = pick([undefined, ',', '.', 'space'] as const);
  const delimiter = thousands === ',' ? pick([',', ';', '\t']) : pick([';', '\t', '|']);
  const n = 5 + Math.floor(r() * 40);
  const bigIds = r() < 0.5;
  const ids = Array.from({ length: n }, (_, i) =>
    bigIds ? String(12345678901234567890n + BigInt(i) * 11n) : String(1000 + i * 3),
  );
  const values: (number | null)[] = [];
  const names: string[] = [];
  const lines = [['CustomerID', 'spend', 'name'].join(delimiter)];
  for (let i = 0; i < n; i++) {
    let cell: string;
    if (r() < 0.15) {
      values.push(null);
      cell = pick(MISSING);
    } else {
      const whole = Math.floor(r() * 5_000_000);
      const cents = Math.floor(r() * 100);
      values.push(Number(`${whole}.${String(cents).padStart(2, '0')}`));
      const digits = String(whole);
      const sep = thousands === 'space' ? pick([' ', '\u00a0', '\u202f']) : thousands;
      const grouped =
        sep !== undefined && whole >= 1000 ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep) : digits;
      const decimal = thousands === '.' || (thousands === 'space' && delimiter !== ',') ? ',' : '.';
      cell = `${grouped}${decimal}${String(cents).padStart(2, '0')}`;
      if (cell.includes(delimiter) || r() < 0.3) cell = `"${cell}"`;
    }
    const name = pick(['ann', 'bo', 'Zoë', 'Łukasz', 'x y']);
    names.push(name);
    lines.push([ids[i], cell, name].join(delimiter));
  }
  let text = '';
  for (const line of lines) text += line + pick(['\n', '\r\n', '\r']);
  const encoding = pick(['utf8', 'utf8-bom', 'utf16le', 'utf16be'] as const);
  let bytes =
    encoding === 'utf8'
      ? Buffer.from(text, 'utf8')
      : encoding === 'utf8-bom'
        ? Buffer.from('\uFEFF' + text, 'utf8')
        : Buffer.from('\uFEFF' + text, 'utf16le');
  if (encoding === 'utf16be') bytes = bytes.swap16();
  const gz = r() < 0.3;
  return { bytes: gz ? gzipSync(bytes) : bytes, gz, thousands, ids, bigIds, values, names };
}

describe('random CSVs: ids, numbers and text come back as written', () => {
  test.each(Array.from({ length: 60 }, (_, i) => i + 1))('seed %i', async (seed) => {
    const c = makeCase(seed);
    const path = join(tempDir(), c.gz ? 'x.csv.gz' : 'x.csv');
    writeFileSync(path, c.bytes);
    const t = await readTable(path, { thousands: c.thousands });
    expect(t.schema.fields.map((f) => f.name)).toEqual(['CustomerID', 'spend', 'name']);
    const ids = t.getChild('CustomerID')!;
    if (c.bigIds) expect(ids.toArray()).toEqual(c.ids);
    else expect(Array.from(ids.toArray() as Float64Array)).toEqual(c.ids.map(Number));
    const spend = t.getChild('spend')!;
    expect(String(spend.type)).toBe('Float64');
    const got = Array.from({ length: spend.length }, (_, i) => spend.get(i) as number | null);
    expect(got).toEqual(c.values);
    expect(t.getChild('name')!.toArray()).toEqual(c.names);
  });
});
