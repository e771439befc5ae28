import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { listPeriods, readLatest, type TrackedModel } from '../track/store.js';

/**
 * What the report's "Over time" section shows of a --history store, read from the small files of
 * each period (model.json's tracking section, migration.csv, stability.json): never the
 * per-customer tables, so the section costs the same at 10M customers as at 4,000.
 */
export interface MigrationCell {
  /** A published segment key, or 'new' (customers not in the previous period). */
  from: string;
  /** A published segment key, or 'gone' (customers not in this period). */
  to: string;
  customers: number;
  rowShare: number;
}

export interface SegmentStability {
  key: number;
  name: string;
  size: number;
  previousSize: number;
  centreDrift: number | null;
}

export interface PeriodView {
  asOf: string;
  /** Published customers per segment key (migration.csv's columns, `gone` left out). */
  sizes: Map<number, number>;
  /** From stability.json; absent for the first period. */
  stability?: {
    ari: number | null;
    nmi: number | null;
    flipRaw: number | null;
    flipPublished: number | null;
    segments: SegmentStability[];
    psi: [string, number | null][];
  };
  migration: MigrationCell[];
}

export interface HistoryView {
  dir: string;
  /** Oldest first, up to and including the report's period. */
  periods: PeriodView[];
  /** The name of every key seen, as last published. */
  names: Map<number, string>;
}

/** One CSV line into fields (quotes as csvText writes them). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function readJson<T>(dir: string, asOf: string, file: string): T {
  try {
    return JSON.parse(readFileSync(join(dir, asOf, file), 'utf8')) as T;
  } catch (error) {
    throw new InputError(
      (opt) =>
        `${opt('history')} ${dir}: ${asOf}/${file} is missing or not valid JSON; the store is corrupt`,
      { cause: error },
    );
  }
}

function readMigration(dir: string, asOf: string): MigrationCell[] {
  const path = join(dir, asOf, 'migration.csv');
  if (!existsSync(path))
    throw new InputError(
      (opt) =>
        `${opt('history')} ${dir}: period ${asOf} has no migration.csv; the store is corrupt`,
    );
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const cols = csvFields(head);
  const at = (name: string): number => {
    const i = cols.indexOf(name);
    if (i < 0)
      throw new InputError(
        (opt) =>
          `${opt('history')} ${dir}: ${asOf}/migration.csv has no column '${name}'; the store is corrupt`,
      );
    return i;
  };
  const [from, to, customers, share] = ['from_key', 'to_key', 'customers', 'row_share'].map(at);
  return lines.map((l) => {
    const f = csvFields(l);
    return {
      from: f[from],
      to: f[to],
      customers: Number(f[customers]),
      rowShare: Number(f[share]),
    };
  });
}

const numberOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/**
 * The store's periods up to `asOf` (default: the latest), with sizes, the last period's migration
 * and stability figures. A store with no periods, or without `asOf`, is an input error.
 */
export function readHistoryView(dir: string, asOf?: string): HistoryView {
  const latest = readLatest(dir);
  if (latest === undefined)
    throw new InputError(
      (opt) => `${opt('history')} ${dir}: no periods stored; run segment ${opt('history')} first`,
    );
  const all = listPeriods(dir).filter((p) => p <= latest);
  const until = asOf !== undefined && all.includes(asOf) ? asOf : latest;
  const names = new Map<number, string>();
  const periods = all
    .filter((p) => p <= until)
    .map((p): PeriodView => {
      const model = readJson<TrackedModel>(dir, p, 'model.json');
      const t = model.tracking;
      if (!t || !Array.isArray(t.keys) || !Array.isArray(t.names))
        throw new InputError(
          `--history ${dir}: ${p}/model.json has no valid tracking section; the store is corrupt`,
        );
      t.keys.forEach((key, c) => names.set(key, t.names[c]));
      const migration = readMigration(dir, p);
      const sizes = new Map<number, number>();
      for (const m of migration)
        if (m.to !== 'gone') sizes.set(Number(m.to), (sizes.get(Number(m.to)) ?? 0) + m.customers);
      const s = readJson<Record<string, unknown>>(dir, p, 'stability.json');
      const stability =
        s.previous_as_of === null || s.previous_as_of === undefined
          ? undefined
          : {
              ari: numberOrNull(s.adjusted_rand_index),
              nmi: numberOrNull(s.normalized_mutual_info),
              flipRaw: numberOrNull(s.flip_rate_raw),
              flipPublished: numberOrNull(s.flip_rate_published),
              segments: ((s.segments as Record<string, unknown>[] | undefined) ?? []).map((g) => ({
                key: Number(g.key),
                name: String(g.name),
                size: Number(g.size),
                previousSize: Number(g.previous_size),
                centreDrift: numberOrNull(g.centre_drift),
              })),
              psi: Object.entries((s.psi as Record<string, unknown> | undefined) ?? {}).map(
                ([f, v]): [string, number | null] => [f, numberOrNull(v)],
              ),
            };
      return { asOf: p, sizes, stability, migration };
    });
  return { dir, periods, names };
}
