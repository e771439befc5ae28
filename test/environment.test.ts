import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { asGpusegError, EnvironmentError, EXIT_CODES } from '../src/errors.js';
import { writeCustomers } from '../src/synth/customers.js';
import { BIN, errors, filesIn, gpuseg, ROOT, tempDir, type RunResult } from './helpers/cli.js';

/**
 * The machine at fault rather than the data or the flags: exit 5, one line naming the file, no
 * output (temporary files included) left behind, and never a hang.
 */
const ROWS = 100_000;
/** A run that has not ended in this long hangs (the chunked writers used to spin forever on a full disk). */
const HANG_MS = 90_000;

let dir: string;
let input: string;
let model: string;

beforeAll(async () => {
  dir = tempDir();
  input = join(dir, 'customers.arrows');
  await writeCustomers(input, ROWS, 5, 25_000);
  model = join(dir, 'model.json');
  const f = gpuseg([
    'fit',
    input,
    '--k',
    '3',
    '--max-iter',
    '3',
    '--backend',
    'cpu',
    '--model',
    model,
  ]);
  expect(f.status, f.stderr).toBe(0);
});

/** Runs the CLI under bash (for `ulimit`), with a timeout that turns a hang into a failure. */
function gpusegLimited(
  limits: string,
  args: string[],
  env: Record<string, string> = {},
): RunResult {
  const r = spawnSync('bash', ['-c', `${limits}; exec "$0" "$@"`, process.execPath, BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? tmpdir(), ...env },
    timeout: HANG_MS,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('exit class 5 is environment', () => {
  expect(EXIT_CODES.environment).toBe(5);
  const e = new EnvironmentError('disk full');
  expect(e.kind).toBe('environment');
  expect(e.exitCode).toBe(5);
});

/** The outputs that are larger than the 1 MiB a full disk has room for, by command. */
const DISK_FULL_CASES: { name: string; args: (out: string) => string[] }[] = [
  ...['arrows', 'arrow', 'csv'].map((ext) => ({
    name: `generate .${ext}`,
    args: (out: string) => ['generate', '--rows', String(ROWS), '--output', join(out, `g.${ext}`)],
  })),
  ...['arrows', 'csv'].map((ext) => ({
    name: `out-of-core fit --output .${ext}`,
    args: (out: string) => [
      'fit',
      input,
      '--k',
      '3',
      '--max-iter',
      '3',
      '--backend',
      'cpu',
      '--out-of-core',
      '--no-spill',
      '--output',
      join(out, `o.${ext}`),
    ],
  })),
  ...['arrow', 'csv'].map((ext) => ({
    name: `out-of-core predict --output .${ext}`,
    args: (out: string) => [
      'predict',
      input,
      '--model',
      model,
      '--backend',
      'cpu',
      '--out-of-core',
      '--output',
      join(out, `p.${ext}`),
    ],
  })),
  ...['parquet', 'csv'].map((ext) => ({
    name: `in-memory fit --output .${ext}`,
    args: (out: string) => [
      'fit',
      input,
      // (the numeric columns: true_persona, text, would add a categorical notice to stderr)
      '--features',
      'recency_days,frequency,monetary,avg_order_value,tenure_days,return_rate,sessions_per_month,email_open_rate,discount_share',
      '--k',
      '3',
      '--max-iter',
      '3',
      '--backend',
      'cpu',
      '--output',
      join(out, `i.${ext}`),
    ],
  })),
];

function expectDiskFull(r: RunResult, out: string, reason: RegExp): void {
  expect(r.status, `status ${r.status}, stderr: ${r.stderr}`).toBe(5);
  const message = errors(r);
  expect(message.split('\n')).toHaveLength(1);
  expect(message).toMatch(/^gpuseg: error: cannot write '[^']+': /);
  expect(message).toMatch(reason);
  expect(filesIn(out)).toEqual([]);
}

/**
 * A real full disk: a 1 MiB tmpfs, mounted when running as root (as CI does); otherwise a
 * file-size limit (`ulimit -f`), which fails writes the same way with EFBIG. Never skipped.
 */
describe('disk full', () => {
  const root = process.getuid?.() === 0;
  let full: string;
  let mounted = false;

  beforeAll(() => {
    full = mkdtempSync(join(tmpdir(), 'gpuseg-full-'));
    if (root) {
      const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', full], {
        encoding: 'utf8',
      });
      expect(m.status, `mount a 1 MiB tmpfs as root: ${m.stderr}`).toBe(0);
      mounted = true;
    }
  });

  afterAll(() => {
    if (mounted) spawnSync('umount', [full]);
    rmdirSync(full);
  });

  test.each(DISK_FULL_CASES)(
    `$name: exit 5 naming the file, nothing left (${process.getuid?.() === 0 ? 'tmpfs full, ENOSPC' : 'ulimit -f, EFBIG'})`,
    ({ args }) => {
      const r = root
        ? gpusegLimited('true', args(full))
        : gpusegLimited('ulimit -f 1024', args(full));
      expectDiskFull(r, full, root ? /no space left on the device \(ENOSPC\)/ : /\(EFBIG\)/);
    },
  );

  test.each(DISK_FULL_CASES.filter((c) => /generate \.arrows|out-of-core fit/.test(c.name)))(
    '$name under a file-size limit (EFBIG): exit 5, nothing left',
    ({ args }) => {
      const out = tempDir();
      const r = gpusegLimited('ulimit -f 1024', args(out));
      expectDiskFull(r, out, /file too large .*\(EFBIG\)/);
    },
  );
});

/** A missing or read-only TMPDIR: exit 5 naming the folder and TMPDIR, not "internal error". */
describe('an unusable temporary folder', () => {
  const root = process.getuid?.() === 0;
  let readOnly: string;
  let mounted = false;
  let log: string;

  beforeAll(() => {
    log = join(dir, 'log.csv');
    writeFileSync(log, 'c,d,a\n1,2024-01-01,3\n2,2024-01-02,5\n1,2024-01-03,2\n');
    readOnly = mkdtempSync(join(tmpdir(), 'gpuseg-ro-'));
    if (root) {
      // root writes through permission bits: a read-only mount it is.
      const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', readOnly], {
        encoding: 'utf8',
      });
      expect(m.status, `mount a read-only tmpfs as root: ${m.stderr}`).toBe(0);
      mounted = true;
    } else {
      chmodSync(readOnly, 0o555);
    }
  });

  afterAll(() => {
    if (mounted) spawnSync('umount', [readOnly]);
    else chmodSync(readOnly, 0o755);
    rmdirSync(readOnly);
  });

  const rfmArgs = (out: string): string[] => [
    'rfm',
    log,
    '--customer',
    'c',
    '--date',
    'd',
    '--amount',
    'a',
    '--output',
    join(out, 'rfm.csv'),
  ];

  test.each([
    ['missing', () => join(dir, 'no-such-folder'), /it does not exist/],
    ['read-only', () => readOnly, /read-only file system|not writable/],
  ])('%s TMPDIR: rfm exits 5 naming the folder', (_name, folder, why) => {
    const out = tempDir();
    const r = gpuseg(rfmArgs(out), { TMPDIR: folder() });
    expect(r.status, r.stderr).toBe(5);
    expect(errors(r)).toMatch(
      new RegExp(`^gpuseg: error: the temporary folder '${folder()}' cannot be used: `),
    );
    expect(errors(r)).toMatch(why);
    expect(errors(r)).toMatch(/set TMPDIR to a writable folder$/);
    expect(filesIn(out)).toEqual([]);
  });

  test('missing TMPDIR: rfm of an Arrow log (handed to DuckDB through a temporary file) exits 5', () => {
    const arrowLog = join(dir, 'log.arrow');
    writeFileSync(
      arrowLog,
      tableToIPC(
        tableFromArrays({
          c: Int32Array.from([1, 2, 1]),
          d: ['2024-01-01', '2024-01-02', '2024-01-03'],
          a: Float64Array.from([3, 5, 2]),
        }),
        'file',
      ),
    );
    const out = tempDir();
    const r = gpuseg(
      [
        'rfm',
        arrowLog,
        '--customer',
        'c',
        '--date',
        'd',
        '--amount',
        'a',
        '--output',
        join(out, 'r.csv'),
      ],
      { TMPDIR: join(dir, 'gone') },
    );
    expect(r.status, r.stderr).toBe(5);
    expect(errors(r)).toMatch(/the temporary folder '.*gone' cannot be used: it does not exist/);
  });
});

describe('GPUSEG_DEBUG', () => {
  const failing = (): string[] => ['fit', join(dir, 'missing.arrow'), '--k', '2'];

  test.each(['0', 'false', 'no', ''])('GPUSEG_DEBUG=%j prints no stack', (value) => {
    const r = gpuseg(failing(), { GPUSEG_DEBUG: value });
    expect(r.status).toBe(3);
    expect(errors(r).split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test.each(['1', 'true', 'yes', 'YES'])('GPUSEG_DEBUG=%j prints the stack', (value) => {
    const r = gpuseg(failing(), { GPUSEG_DEBUG: value });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

/**
 * Memory: under a virtual-memory limit of a few GiB (`ulimit -v`) a fit used to stop with a
 * WebAssembly abort (V8 reserves 10 GiB of address space per WebAssembly memory); the CLI now
 * runs itself again with the memories reserved as needed, and an allocation that still fails is
 * exit 5, "out of memory: …", saying what ran out.
 */
describe('out of memory', () => {
  const mall = join(ROOT, 'datasets/Mall_Customers.arrow');
  const fitArgs = ['fit', mall, '--k', '3', '--backend', 'cpu', '--seed', '1', '--json'];
  const LIMIT = 'ulimit -v 3000000'; // 2.9 GiB

  test('a fit under ulimit -v 2.9 GiB runs, with the result of an unlimited run', () => {
    const free = gpuseg(fitArgs);
    expect(free.status, free.stderr).toBe(0);
    const limited = gpusegLimited(LIMIT, fitArgs);
    expect(limited.status, limited.stderr).toBe(0);
    const strip = (text: string): unknown => {
      const { seconds: _s, ...rest } = JSON.parse(text) as Record<string, unknown>;
      return rest;
    };
    expect(strip(limited.stdout)).toEqual(strip(free.stdout));
  });

  test('a WebAssembly memory that cannot be reserved is exit 5, out of memory, naming the limit', () => {
    // Without the relaunch: the allocation fails as it used to, and must read as what it is.
    const r = gpusegLimited(LIMIT, fitArgs, { GPUSEG_NO_RELAUNCH: '1' });
    expect(r.status, r.stderr).toBe(5);
    const last = errors(r).split('\n').at(-1)!;
    expect(last).toMatch(
      /^gpuseg: error: out of memory: could not reserve WebAssembly memory \(.*\); the virtual memory limit \(ulimit -v\) is 2\.9 GiB: raise it, or run node with --disable-wasm-trap-handler/,
    );
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  test.each([
    ['Array buffer allocation failed', /^out of memory: could not allocate a host buffer/],
    [
      'WebAssembly.Memory(): could not allocate memory',
      /^out of memory: could not reserve WebAssembly memory/,
    ],
    [
      'WebAssembly.Memory.grow(): Maximum memory size exceeded',
      /^out of memory: could not reserve WebAssembly memory/,
    ],
  ])('a RangeError %j is an EnvironmentError', (message, expected) => {
    const e = asGpusegError(new RangeError(message));
    expect(e).toBeInstanceOf(EnvironmentError);
    expect(e.exitCode).toBe(5);
    expect(e.message).toMatch(expected);
  });

  test('ENOSPC thrown anywhere is an EnvironmentError, other errors stay internal', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
    });
    expect(asGpusegError(full)).toBeInstanceOf(EnvironmentError);
    expect(asGpusegError(new Error('boom')).exitCode).toBe(1);
  });
});
