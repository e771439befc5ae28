import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../src/errors.js';
import { openChunkWriter } from '../src/io/batch-writer.js';
import { readTable } from '../src/io/read-table.js';
import { writeTable } from '../src/io/write-table.js';
import { writeCustomers } from '../src/synth/customers.js';
import {
  OutputSet,
  recordWrittenOutputs,
  writeFileAtomic,
  writtenOutputs,
} from '../src/util/atomic-write.js';
import { BIN, errors, filesIn, gpuseg, tempDir } from './helpers/cli.js';

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

/**
 * Outputs of one run appear together or not at all: every output's folder is checked before the
 * fit, and a failure writing any of them leaves none (and the files already there unchanged).
 */
describe('all outputs or none', () => {
  let small: string;

  beforeAll(() => {
    // 40 rows of 30 features: a model (k=8) of ~20 KB beside a segments file of ~1 KB.
    const columns: Record<string, Float64Array | Int32Array> = {
      id: Int32Array.from({ length: 40 }, (_v, i) => i),
    };
    for (let j = 0; j < 30; j++)
      columns[`f${j}`] = Float64Array.from({ length: 40 }, (_v, i) => Math.sin(i * (j + 1)) * 100);
    small = join(dir, 'small.arrow');
    writeFileSync(
      small,
      tableToIPC(tableFromArrays(columns as Record<string, Float64Array>), 'file'),
    );
  });

  test('a model that cannot be written after the segments were: neither is left, old files kept', () => {
    const out = tempDir();
    const segments = join(out, 'segments.csv');
    const model = join(out, 'model.json');
    const profiles = join(out, 'profiles.csv');
    writeFileSync(segments, 'old segments\n');
    // A file-size limit of 8 KiB: the segments (~1 KiB) are written, the model (~20 KiB) is not.
    const r = spawnSync(
      'bash',
      [
        '-c',
        'ulimit -f 8; exec "$0" "$@"',
        process.execPath,
        BIN,
        'fit',
        small,
        '--k',
        '8',
        '--backend',
        'cpu',
        '--output',
        segments,
        '--model',
        model,
        '--profile-output',
        profiles,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(5);
    expect(errors({ status: r.status, stdout: r.stdout, stderr: r.stderr })).toMatch(
      /^gpuseg: error: cannot write '.*model\.json': file too large/m,
    );
    expect(filesIn(out)).toEqual(['segments.csv']);
    expect(readFileSync(segments, 'utf8')).toBe('old segments\n');
  });

  test("an output folder that cannot be written is refused before the fit (exit 5, not the fit's k > rows)", () => {
    const out = tempDir();
    const ro = mkdtempSync(join(dir, 'ro-'));
    const root = process.getuid?.() === 0;
    if (root)
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]).status).toBe(0);
    else chmodSync(ro, 0o555);
    try {
      const r = gpuseg([
        'fit',
        small,
        '--k',
        '100',
        '--backend',
        'cpu',
        '--output',
        join(out, 'segments.csv'),
        '--model',
        join(ro, 'model.json'),
      ]);
      expect(r.status, r.stderr).toBe(5);
      expect(errors(r)).toMatch(
        /^gpuseg: error: --model '.*model\.json': folder '.*' cannot be written: (read-only file system|permission denied)$/,
      );
      expect(filesIn(out)).toEqual([]);
    } finally {
      if (root) spawnSync('umount', [ro]);
      else chmodSync(ro, 0o755);
    }
  });

  test('rfm, select, profile and generate refuse an unwritable output folder before their work (exit 5)', () => {
    const ro = mkdtempSync(join(dir, 'ro-'));
    const root = process.getuid?.() === 0;
    if (root)
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]).status).toBe(0);
    else chmodSync(ro, 0o555);
    try {
      const runs: [string, string[]][] = [
        [
          'rfm.arrow',
          [
            'rfm',
            'datasets/online_retail_uci.csv.gz',
            '--customer',
            'CustomerID',
            '--date',
            'InvoiceDate',
            '--quantity',
            'Quantity',
            '--price',
            'UnitPrice',
            '--output',
          ],
        ],
        ['select.json', ['select', small, '--k', '2..3', '--backend', 'cpu', '--output']],
        ['profiles.csv', ['profile', small, '--segments', small, '--output']],
        ['generated.arrows', ['generate', '--rows', '10', '--output']],
      ];
      for (const [name, args] of runs) {
        const r = gpuseg([...args, join(ro, name)]);
        expect(r.status, `${args[0]}: ${r.stderr}`).toBe(5);
        expect(errors(r)).toMatch(/cannot be written: (read-only file system|permission denied)$/);
      }
    } finally {
      if (root) spawnSync('umount', [ro]);
      else chmodSync(ro, 0o755);
    }
  });

  test('a model path that is a folder is a usage error before the fit', () => {
    const out = tempDir();
    mkdirSync(join(out, 'model.json'));
    const r = gpuseg([
      'fit',
      small,
      '--k',
      '2',
      '--backend',
      'cpu',
      '--model',
      join(out, 'model.json'),
    ]);
    expect(r.status, r.stderr).toBe(2);
    expect(errors(r)).toMatch(/--model '.*model\.json' is a folder; name a file to write/);
  });

  test('OutputSet: staged files appear at commit, all of them, or at abort none', async () => {
    const out = tempDir();
    const table = await readTable(small);
    const a = join(out, 'a.arrow');
    const b = join(out, 'b.json');
    const set = new OutputSet({ '--output': a, '--model': b });
    writeTable(a, table, '--output', set);
    writeFileAtomic(b, ['{}\n'], set);
    expect(filesIn(out).filter((f) => !f.startsWith('.'))).toEqual([]);
    set.commit();
    expect(filesIn(out)).toEqual(['a.arrow', 'b.json']);

    const again = new OutputSet({ '--output': join(out, 'c.csv') });
    writeTable(join(out, 'c.csv'), table, '--output', again);
    const chunks = openChunkWriter(join(out, 'd.arrows'), '--output', again);
    await chunks.write(table);
    await chunks.commit();
    expect(filesIn(out).filter((f) => !f.startsWith('.'))).toEqual(['a.arrow', 'b.json']);
    again.abort();
    expect(filesIn(out)).toEqual(['a.arrow', 'b.json']);
    expect(() => new OutputSet({ '--model': join(out, 'nope', 'm.json') })).toThrow(UsageError);
  });
});

describe('what an interrupted run reports as written', () => {
  test('an output counts as written once it is in place, a set only at its commit', async () => {
    const d = tempDir();
    const before = join(d, 'before.txt');
    writeFileAtomic(before, ['x']);
    // Nothing is recorded until asked (the CLI asks; a library process keeps no list).
    expect(writtenOutputs()).not.toContain(before);
    recordWrittenOutputs();
    const alone = join(d, 'alone.txt');
    writeFileAtomic(alone, ['x']);
    expect(writtenOutputs()).toContain(alone);
    const a = join(d, 'a.txt');
    const table = join(d, 'b.arrows');
    const set = new OutputSet({ a, table });
    writeFileAtomic(a, ['a'], set);
    const writer = openChunkWriter(table, '--output', set);
    await writer.write(tableFromArrays({ v: new Float32Array([1, 2]) }));
    await writer.commit();
    expect(writtenOutputs()).not.toContain(a);
    expect(writtenOutputs()).not.toContain(table);
    set.commit();
    expect(writtenOutputs().slice(-2)).toEqual([a, table]);
  });
});
