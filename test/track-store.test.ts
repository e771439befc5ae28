import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  EnvironmentError,
  InputError,
  segment,
  transitions,
  UsageError,
  type Notice,
  type SegmentOptions,
} from '../src/index.js';
import { planHistory, recordPeriod } from '../src/api/history.js';
import { errors, gpuseg } from './helpers/cli.js';

/**
 * The --history store on a small hand-made log: re-running the latest as-of replaces it, an
 * earlier one needs force (which drops the later periods), and every bad store or input is a clear
 * error that leaves the store as it was.
 */
const root = mkdtempSync(join(tmpdir(), 'gpuseg-track-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** 40 customers over Jan–Mar 2024: four habits, so k = 2 is well defined. */
function log(name: string, idPrefix = ''): string {
  const lines = ['customer,date,amount'];
  for (let c = 0; c < 40; c++) {
    const heavy = c % 2 === 0;
    for (let d = 1; d <= 90; d += heavy ? 7 + (c % 3) : 30 + (c % 5)) {
      const day = new Date(Date.UTC(2024, 0, d)).toISOString().slice(0, 10);
      lines.push(`${idPrefix}${c + 1},${day},${heavy ? 80 + c : 10 + (c % 7)}`);
    }
  }
  const path = join(root, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const numeric = log('tx.csv');
const base: SegmentOptions = {
  customer: 'customer',
  date: 'date',
  amount: 'amount',
  k: 2,
  backend: 'cpu',
  seed: 3,
};
const run = (
  dir: string,
  asOf: string,
  extra: Partial<SegmentOptions> = {},
  input = numeric,
  force = false,
) => segment(input, { ...base, asOf, ...extra, history: { dir, force } });

/** Every file of the store with its bytes, to check that a failed run changed nothing. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p, readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

async function unchanged(
  dir: string,
  action: () => Promise<unknown>,
  error: RegExp,
  kind: typeof InputError | typeof UsageError | typeof EnvironmentError,
) {
  const before = snapshot(dir);
  const failure = await action().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(failure).toBeInstanceOf(kind);
  expect((failure as Error).message).toMatch(error);
  expect(snapshot(dir)).toEqual(before);
}

describe('the --history store', () => {
  test('periods, replacing the latest, force to go back', async () => {
    const dir = join(root, 'a');
    const first = await run(dir, '2024-02-15');
    expect(
      [...(first.segments.getChild('segment_key')!.toArray() as Int32Array)].every(
        (k) => k === 0 || k === 1,
      ),
    ).toBe(true);
    await run(dir, '2024-03-01');
    await run(dir, '2024-03-31');
    expect(readdirSync(dir).sort()).toEqual(['2024-02-15', '2024-03-01', '2024-03-31', 'latest']);
    // Re-running the latest replaces it, from the same previous period: byte-identical.
    const before = snapshot(dir);
    const again = await run(dir, '2024-03-31');
    expect(again.history?.previousAsOf).toBe('2024-03-01');
    expect(snapshot(dir)).toEqual(before);
    await unchanged(
      dir,
      () => run(dir, '2024-03-10'),
      /^asOf 2024-03-10 is before the store's latest period 2024-03-31; use force/,
      UsageError,
    );
    const back = await run(dir, '2024-03-10', {}, numeric, true);
    expect(back.history?.previousAsOf).toBe('2024-03-01');
    expect(readdirSync(dir).sort()).toEqual(['2024-02-15', '2024-03-01', '2024-03-10', 'latest']);
    expect(JSON.parse(readFileSync(join(dir, 'latest'), 'utf8'))).toEqual({ as_of: '2024-03-10' });
    const t = transitions(dir, { horizon: 2 });
    expect(t.periods).toEqual(['2024-02-15', '2024-03-01', '2024-03-10']);
    // Every customer present in consecutive periods is counted once per pair.
    expect(t.counts.flat().reduce((s, x) => s + x, 0)).toBe(80);
    expect(t.projected).toHaveLength(2);
  });

  test('bad stores and inputs are clear errors and leave the store as it was', async () => {
    const dir = join(root, 'b');
    await run(dir, '2024-02-15');
    // Another feature set.
    await unchanged(
      dir,
      () => run(dir, '2024-03-01', { features: ['recency_days', 'frequency'] }),
      /features \(recency_days, frequency\) differ from the store's \(recency_days, frequency, monetary\)/,
      InputError,
    );
    // A customer id type change (numbers, then text).
    const text = log('tx-text.csv', 'C');
    await unchanged(
      dir,
      () => run(dir, '2024-03-01', {}, text),
      /customer id 'customer' \(Utf8\) differs from the store's 'customer' \(Int64\)/,
      InputError,
    );
    // A half-written period: a file missing.
    rmSync(join(dir, '2024-02-15', 'events.csv'));
    await unchanged(
      dir,
      () => run(dir, '2024-03-01'),
      /period 2024-02-15 has no events.csv; the store is corrupt or half-written/,
      InputError,
    );
    // A corrupt latest.
    const dir2 = join(root, 'c');
    await run(dir2, '2024-02-15');
    writeFileSync(join(dir2, 'latest'), '{"as_of": 1');
    await unchanged(dir2, () => run(dir2, '2024-03-01'), /'latest' is not valid JSON/, InputError);
    rmSync(join(dir2, 'latest'));
    await unchanged(
      dir2,
      () => run(dir2, '2024-03-01'),
      /has periods but no 'latest' file/,
      InputError,
    );
    expect(existsSync(join(dir2, '2024-03-01'))).toBe(false);
  });

  test('psi_bins.json: a store without it gives the same stability.json; a corrupt one is an error', async () => {
    const stability = (dir: string) => readFileSync(join(dir, '2024-03-01', 'stability.json'));
    const [withBins, older, corrupt] = ['psi-a', 'psi-b', 'psi-c'].map((d) => join(root, d));
    for (const dir of [withBins, older, corrupt]) await run(dir, '2024-02-15');
    expect(readdirSync(join(withBins, '2024-02-15'))).toContain('psi_bins.json');
    await run(withBins, '2024-03-01');
    // A period written before the bins file existed: its bins come from its customers.parquet.
    rmSync(join(older, '2024-02-15', 'psi_bins.json'));
    await run(older, '2024-03-01');
    expect(stability(older).equals(stability(withBins))).toBe(true);
    const psi = (JSON.parse(stability(withBins).toString()) as { psi: Record<string, number> }).psi;
    expect(Object.keys(psi)).toEqual(['recency_days', 'frequency', 'monetary']);
    writeFileSync(join(corrupt, '2024-02-15', 'psi_bins.json'), '{"features": {"monetary": 1}}');
    await unchanged(
      corrupt,
      () => run(corrupt, '2024-03-01'),
      /2024-02-15\/psi_bins.json holds no valid bins; the store is corrupt/,
      InputError,
    );
  });

  test('an interrupted write is repaired; a store in use or changed under a run is a clear error', async () => {
    const dir = join(root, 'i');
    await run(dir, '2024-02-15');
    // A process that has exited: its pid is no longer alive.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    // Killed while replacing 2024-02-15: the old period moved aside, the new one half-written.
    renameSync(join(dir, '2024-02-15'), join(dir, `.old-2024-02-15-${dead}`));
    mkdirSync(join(dir, `.tmp-2024-02-15-${dead}`));
    writeFileSync(join(dir, `.tmp-2024-02-15-${dead}`, 'model.json'), '{"half');
    writeFileSync(join(dir, `.latest-${dead}`), '{"as_of"');
    const next = await run(dir, '2024-03-01');
    expect(next.history?.previousAsOf).toBe('2024-02-15');
    expect(readdirSync(dir).sort()).toEqual(['2024-02-15', '2024-03-01', 'latest']);
    // A live run's lock: nothing is read or written.
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: process.pid }));
    await unchanged(
      dir,
      () => run(dir, '2024-03-10'),
      new RegExp(`the store is in use by another run \\(process ${process.pid}\\)`),
      EnvironmentError,
    );
    // A dead run's lock is stale: taken over.
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: dead }));
    await run(dir, '2024-03-10');
    expect(readdirSync(dir).sort()).toEqual(['2024-02-15', '2024-03-01', '2024-03-10', 'latest']);
    // Two runs at once on one store: one plans, the other writes a period, then the first writes.
    const plan = planHistory({ dir }, '2024-03-31', undefined);
    const other = await run(dir, '2024-03-20');
    const before = snapshot(dir);
    let error: unknown;
    try {
      recordPeriod(plan, {
        idColumn: 'customer',
        segments: other.segments,
        labels: other.fit.labels,
        model: other.fit.model,
        profiles: other.fit.profiles,
        names: other.fit.names,
        features: other.fit.model.features,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).code).toBe('GPUSEG_STORE_BUSY');
    expect((error as Error).message).toMatch(
      /the store changed during this run \(its latest period is now 2024-03-20, was 2024-03-10\).*nothing was written, run again/,
    );
    expect(snapshot(dir)).toEqual(before);
  });

  test('--rediscover refits from scratch and keeps identities by matching; --refit-preprocessing says so', async () => {
    const dir = join(root, 'r');
    const first = await run(dir, '2024-03-01');
    const notices: string[] = [];
    const flagged: string[] = [];
    const opts = {
      ...base,
      asOf: '2024-03-31',
      onNotice: (m: string, n: Notice) => {
        notices.push(m);
        flagged.push(n.messageFor('flag'));
      },
    };
    const again = await segment(numeric, {
      ...opts,
      k: '2..3',
      history: { dir, rediscover: true, refitPreprocessing: true },
    });
    // The API names its option; the CLI (messageFor('flag')) its flag.
    expect(notices.some((m) => /refitting the preprocessing \(refitPreprocessing\)/.test(m))).toBe(
      true,
    );
    expect(
      flagged.some((m) => /refitting the preprocessing \(--refit-preprocessing\)/.test(m)),
    ).toBe(true);
    const keys = (r: typeof first) =>
      new Set(r.segments.getChild('segment_key')!.toArray() as Int32Array);
    const events = again.history!.events;
    expect(events.filter((e) => e.event === 'survived').every((e) => e.toKey === e.fromKey)).toBe(
      true,
    );
    const stored = [...keys(first)];
    const live = new Set(events.map((e) => e.toKey).filter((k) => k >= 0));
    // Keys are never reused: an emerged segment takes a key after the stored ones (0, 1).
    for (const e of events)
      if (e.event === 'emerged') {
        expect(stored).not.toContain(e.toKey);
        expect(e.toKey).toBeGreaterThanOrEqual(2);
      }
    expect(live.size).toBe(again.fit.stats.k);
  });

  test('CLI: flags need --history; transitions prints the chain and names a bad target', () => {
    const dir = join(root, 'a');
    const r = gpuseg(['transitions', dir, '--target', 'Nobody']);
    expect(r.status).toBe(2);
    expect(errors(r)).toMatch(/--target 'Nobody': no such segment/);
    const ok = gpuseg([
      'transitions',
      dir,
      '--target',
      '0',
      '--horizon',
      '1',
      '--output',
      join(root, 't.csv'),
    ]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/steady state/);
    expect(readFileSync(join(root, 't.csv'), 'utf8').split('\n')[0]).toBe(
      'from_key,from_name,to_key,to_name,customers,probability',
    );
    const noAsOf = gpuseg([
      'segment',
      numeric,
      '--customer',
      'customer',
      '--date',
      'date',
      '--amount',
      'amount',
      '--history',
      join(root, 'w'),
      '--window',
      '30',
      '--output',
      join(root, 'o.csv'),
    ]);
    expect(noAsOf.status).toBe(2);
    expect(errors(noAsOf)).toMatch(/--window needs --as-of/);
    const bad = gpuseg([
      'segment',
      numeric,
      '--customer',
      'customer',
      '--date',
      'date',
      '--amount',
      'amount',
      '--k',
      '2',
      '--confirm-periods',
      '2',
      '--output',
      join(root, 'o.csv'),
    ]);
    expect(bad.status).toBe(2);
    expect(errors(bad)).toMatch(/need --history DIR/);
  });

  test('CLI: fit --history on a feature table keeps keys; --as-of is required', () => {
    const dir = join(root, 'fit');
    const args = [
      'fit',
      'datasets/Mall_Customers.csv',
      '--id',
      'CustomerID',
      '--k',
      '5',
      '--backend',
      'cpu',
      '--history',
      dir,
    ];
    for (const asOf of ['2024-01-31', '2024-02-29'])
      expect(gpuseg([...args, '--as-of', asOf]).status).toBe(0);
    const events = readFileSync(join(dir, '2024-02-29', 'events.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    expect(events).toHaveLength(5);
    for (const e of events) {
      const [event, from, , to] = e.split(',');
      expect(event).toBe('survived');
      expect(to).toBe(from);
    }
    const r = gpuseg(args);
    expect(r.status).toBe(2);
    expect(errors(r)).toMatch(/--history on fit needs --as-of YYYY-MM-DD/);
    // Out of core: refused before anything is read or written.
    const ooc = join(root, 'fit-ooc');
    const o = gpuseg([...args.slice(0, -1), ooc, '--as-of', '2024-01-31', '--out-of-core']);
    expect(o.status).toBe(2);
    expect(errors(o)).toMatch(
      /^gpuseg: error: --history does not work with --out-of-core: .*drop --out-of-core$/,
    );
    expect(existsSync(ooc)).toBe(false);
  });
});
