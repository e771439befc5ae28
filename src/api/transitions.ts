import { UsageError } from '../errors.js';
import { listPeriods, readLatest, readPeriod } from '../track/store.js';
import { alignIds, type IdColumn } from '../track/overlap.js';
import { expectedHittingTimes, markovChain, project, steadyState } from '../track/transitions.js';
import { argumentError, checkOptionsArgument, checkStringArgument } from '../util/arguments.js';

export interface TransitionsOptions {
  /** A segment's name or stable key: expected periods until a customer first reaches it. */
  target?: string;
  /** Periods to project segment sizes for (default 4). */
  horizon?: number;
}

export interface TransitionsResult {
  periods: string[];
  /** Stable keys of the states (every published segment seen), ascending, and their latest names. */
  keys: number[];
  names: string[];
  /** counts[i][j]: customers published in keys[i] one period and keys[j] the next (all period pairs). */
  counts: number[][];
  matrix: number[][];
  steadyState: number[];
  target: { key: number; name: string; expectedPeriods: number[] } | undefined;
  /** Sizes now (latest period) and for each of the next `horizon` periods. */
  sizes: number[];
  projected: number[][];
}

/**
 * The Markov chain of published segments over a store's periods (README "Weekly runs"): counts
 * over every pair of consecutive periods (customers present in both), row-normalised; its
 * steady state, expected periods to reach a target segment, and projected sizes.
 */
export function transitions(dir: string, options: TransitionsOptions = {}): TransitionsResult {
  checkStringArgument(dir, 'dir');
  checkOptionsArgument(options);
  const horizon = options.horizon ?? 4;
  if (!Number.isInteger(horizon) || horizon < 0)
    throw new UsageError(
      (opt) => `${opt('horizon')}: expected an integer ≥ 0, got '${options.horizon}'`,
    );
  const latest = readLatest(dir);
  if (latest === undefined)
    throw new UsageError((opt) => `${dir}: not a ${opt('history')} store (no periods)`);
  const periods = listPeriods(dir).filter((p) => p <= latest);
  const stored = periods.map((p) => readPeriod(dir, p));
  const nameOf = new Map<number, string>();
  for (const s of stored)
    s.model.tracking.keys.forEach((k, i) => nameOf.set(k, s.model.tracking.names[i]));
  const keys = [...nameOf.keys()].sort((a, b) => a - b);
  const index = new Map(keys.map((k, i) => [k, i]));
  const n = keys.length;
  const counts = new Float64Array(n * n);
  const published = (t: (typeof stored)[number]) =>
    Int32Array.from(t.customers.getChild('segment_key')!.toArray() as ArrayLike<number>);
  const ids = (t: (typeof stored)[number]) =>
    t.customers.getChild(t.model.tracking.idColumn)!.toArray() as IdColumn;
  for (let p = 1; p < stored.length; p++) {
    const row = alignIds(ids(stored[p - 1]), ids(stored[p]));
    const before = published(stored[p - 1]);
    const after = published(stored[p]);
    for (let i = 0; i < after.length; i++)
      if (row[i] >= 0) counts[index.get(before[row[i]])! * n + index.get(after[i])!]++;
  }
  const chain = markovChain(n, counts);
  const rows = (a: Float64Array) =>
    Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
  let target: TransitionsResult['target'];
  if (options.target !== undefined) {
    const t = options.target;
    const key = keys.find((k) => nameOf.get(k) === t) ?? (/^\d+$/.test(t) ? Number(t) : undefined);
    if (key === undefined || !index.has(key))
      throw new UsageError(
        (opt) =>
          `${opt('target')} '${t}': no such segment in ${dir}; expected one of ${keys.map((k) => `${nameOf.get(k)} (${k})`).join(', ')}`,
      );
    target = {
      key,
      name: nameOf.get(key)!,
      expectedPeriods: [...expectedHittingTimes(chain, index.get(key)!)],
    };
  }
  const sizes = new Float64Array(n);
  for (const k of published(stored[stored.length - 1])) sizes[index.get(k)!]++;
  return {
    periods,
    keys,
    names: keys.map((k) => nameOf.get(k)!),
    counts: rows(counts),
    matrix: rows(chain.matrix),
    steadyState: [...steadyState(chain)],
    target,
    sizes: [...sizes],
    projected: project(chain, sizes, horizon).map((v) => [...v]),
  };
}

/** The chain as CSV: one row per (from, to) with its count and probability. */
/** A UsageError unless `value` looks like transitions' result. */
function checkTransitionsResult(value: unknown): asserts value is TransitionsResult {
  const r = value as Partial<TransitionsResult> | null;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.keys) || !Array.isArray(r.matrix))
    throw argumentError('result', "transitions' result", value);
}

export function transitionsCsv(r: TransitionsResult): string {
  checkTransitionsResult(r);
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = ['from_key,from_name,to_key,to_name,customers,probability'];
  r.keys.forEach((a, i) =>
    r.keys.forEach((b, j) =>
      lines.push([a, q(r.names[i]), b, q(r.names[j]), r.counts[i][j], r.matrix[i][j]].join(',')),
    ),
  );
  return lines.join('\n') + '\n';
}

/** A terminal table: the matrix (with counts), steady state, expected periods and projections. */
export function transitionsText(r: TransitionsResult): string {
  checkTransitionsResult(r);
  const label = r.names.map((name, i) => `${name} (${r.keys[i]})`);
  const w = Math.max(8, ...label.map((l) => l.length));
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(8);
  const out = [
    `transitions over ${r.periods.length} periods (${r.periods[0]} … ${r.periods[r.periods.length - 1]})`,
    '',
  ];
  out.push(
    `${'from \\ to'.padEnd(w)} ${r.keys.map((k) => String(k).padStart(8)).join(' ')}   customers`,
  );
  r.keys.forEach((_, i) =>
    out.push(
      `${label[i].padEnd(w)} ${r.matrix[i].map(pct).join(' ')}   ${r.counts[i].reduce((s, x) => s + x, 0)}`,
    ),
  );
  out.push('', `${'steady state'.padEnd(w)} ${r.steadyState.map(pct).join(' ')}`);
  if (r.target)
    out.push(
      `${`periods to ${r.target.name}`.padEnd(w)} ${r.target.expectedPeriods.map((h) => (Number.isFinite(h) ? h.toFixed(1) : 'never').padStart(8)).join(' ')}`,
    );
  out.push(
    `${'size now'.padEnd(w)} ${r.sizes.map((s) => String(Math.round(s)).padStart(8)).join(' ')}`,
  );
  r.projected.forEach((v, t) =>
    out.push(
      `${`size +${t + 1}`.padEnd(w)} ${v.map((s) => String(Math.round(s)).padStart(8)).join(' ')}`,
    ),
  );
  return out.join('\n');
}
