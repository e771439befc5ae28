import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import { readTable } from '../src/io/read-table.js';
import { writeCustomers } from '../src/synth/customers.js';
import { gpuseg, tempDir } from './helpers/cli.js';

/** Outputs as written: the format the extension names, gzipped when it ends in .gz. */
let dir: string;
let input: string;

beforeAll(async () => {
  dir = tempDir();
  input = join(dir, 'customers.arrows');
  await writeCustomers(input, 3000, 7, 1000);
});

const isGzip = (bytes: Buffer): boolean => bytes[0] === 0x1f && bytes[1] === 0x8b;

describe('--output x.csv.gz is gzipped CSV', () => {
  const fitArgs = ['--k', '3', '--max-iter', '5', '--backend', 'cpu', '--seed', '1'];

  test.each([
    ['in memory', [] as string[]],
    ['out of core, chunk by chunk', ['--out-of-core', '--chunk-rows', '1000']],
  ])('fit %s: the same text as --output x.csv, gzipped', (_name, extra) => {
    const plain = join(dir, `plain-${extra.length}.csv`);
    const gz = join(dir, `gz-${extra.length}.csv.gz`);
    for (const out of [plain, gz]) {
      const r = gpuseg(['fit', input, ...fitArgs, ...extra, '--output', out]);
      expect(r.status, r.stderr).toBe(0);
    }
    const bytes = readFileSync(gz);
    expect(isGzip(bytes)).toBe(true);
    expect(gunzipSync(bytes).toString('utf8')).toBe(readFileSync(plain, 'utf8'));
  });

  test('generate .csv.gz and .tsv.gz: gzipped, read back as the table written', async () => {
    for (const ext of ['csv.gz', 'tsv.gz']) {
      const out = join(dir, `generated.${ext}`);
      const r = gpuseg(['generate', '--rows', '2500', '--batch-rows', '1000', '--output', out]);
      expect(r.status, r.stderr).toBe(0);
      const bytes = readFileSync(out);
      expect(isGzip(bytes)).toBe(true);
      const text = gunzipSync(bytes).toString('utf8');
      expect(text.split('\n')[0]).toContain(ext.startsWith('tsv') ? '\t' : ',');
      expect(text.trimEnd().split('\n')).toHaveLength(2501);
      const table = await readTable(out);
      expect(table.numRows).toBe(2500);
    }
  });

  test('.csv, .arrow, .arrows and .parquet keep their formats', async () => {
    const magic: Record<string, (b: Buffer) => boolean> = {
      csv: (b) => !isGzip(b) && b.toString('utf8').split('\n')[0].includes('segment_id'),
      arrow: (b) => b.subarray(0, 6).toString('latin1') === 'ARROW1',
      arrows: (b) => b.readUInt32LE(0) === 0xffffffff,
      parquet: (b) => b.subarray(0, 4).toString('latin1') === 'PAR1',
    };
    for (const [ext, check] of Object.entries(magic)) {
      const out = join(dir, `keep.${ext}`);
      const r = gpuseg(['fit', input, ...fitArgs, '--output', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(check(readFileSync(out)), ext).toBe(true);
      expect((await readTable(out)).numRows).toBe(3000);
    }
  });
});
