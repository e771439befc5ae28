import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { InputError, UsageError } from '../errors.js';
import { parquetToTable, tableToParquet } from '../io/parquet-io.js';
import type { SegmentModel } from '../model/model.js';
import { isIsoDate } from '../util/arguments.js';
import { parsePsiBins, PSI_BINS_FILE, type FeatureBins } from './psi-bins.js';

/**
 * The history store (`--history DIR`): one folder per period, `DIR/<as-of>/`, holding PERIOD_FILES,
 * and `DIR/latest` holding {"as_of": "YYYY-MM-DD"}. A period is written into a temporary folder and
 * renamed into place, then `latest` is replaced (write and rename), so a reader sees a period
 * completely or not at all. Nothing is changed before every check has passed.
 */
export const PERIOD_FILES = [
  'model.json',
  'customers.parquet',
  'profiles.csv',
  'events.csv',
  'migration.csv',
  'migration_raw.csv',
  'stability.json',
] as const;

/** What model.json carries beyond the model: the stable identities of this period's clusters. */
export interface TrackingState {
  asOf: string;
  /** Stable key of each cluster (index = the model's segment index). */
  keys: number[];
  names: string[];
  /** Parent key of a split child, −1 otherwise. */
  parents: number[];
  /** The next key to hand out: keys are never reused. */
  nextKey: number;
  confirmPeriods: number;
  /** The id column's name and Arrow type, as stored (a later period must match). */
  idColumn: string;
  idType: string;
}

export type TrackedModel = SegmentModel & { tracking: TrackingState };

export interface StoredPeriod {
  asOf: string;
  model: TrackedModel;
  customers: Table;
  /** The features' PSI bins (psi-bins.ts), absent in a store written before that file. */
  psiBins?: FeatureBins;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Rows per record batch when a period's customers are read back: 2^20 (measured at 2M rows, the
 * fastest with the least memory beside it; the whole file in one batch was slower to decode).
 */
const STORE_BATCH_ROWS = 1 << 20;

/** The stored periods, oldest first (hidden temporary folders left out). */
export function listPeriods(dir: string): string[] {
  return storeEntries(dir)
    .filter((n) => DATE.test(n))
    .sort();
}

/** Whether an interrupted write left temporary entries (.tmp-, .old-, .latest-) in the store. */
export function hasInterruptedWrites(dir: string): boolean {
  return storeEntries(dir).some((n) => /^\.(tmp|old|latest)-/.test(n));
}

/** The names in a store folder (none for a new store); a file given as the store is a usage error. */
function storeEntries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory())
    throw new UsageError((opt) => `'${dir}' is a file, not a ${opt('history')} store (a folder)`);
  return readdirSync(dir);
}

/** The latest period's as-of, or undefined for an empty or new store; a store without it is corrupt. */
export function readLatest(dir: string): string | undefined {
  const periods = listPeriods(dir);
  const path = join(dir, 'latest');
  if (!existsSync(path)) {
    if (periods.length === 0) return undefined;
    throw new InputError(
      (opt) =>
        `${opt('history')} ${dir}: the store has periods but no 'latest' file; it is corrupt or half-written`,
    );
  }
  let asOf: unknown;
  try {
    asOf = (JSON.parse(readFileSync(path, 'utf8')) as { as_of?: unknown }).as_of;
  } catch {
    throw new InputError(
      (opt) => `${opt('history')} ${dir}: 'latest' is not valid JSON; the store is corrupt`,
    );
  }
  if (typeof asOf !== 'string' || !DATE.test(asOf))
    throw new InputError(
      (opt) =>
        `${opt('history')} ${dir}: 'latest' holds no {"as_of": "YYYY-MM-DD"}; the store is corrupt`,
    );
  if (!periods.includes(asOf))
    throw new InputError(
      (opt) =>
        `${opt('history')} ${dir}: 'latest' names ${asOf}, which is not in the store; it is corrupt`,
    );
  return asOf;
}

/** Reads one period, checking that every file is there and readable. */
export function readPeriod(dir: string, asOf: string): StoredPeriod {
  const folder = join(dir, asOf);
  for (const f of PERIOD_FILES)
    if (!existsSync(join(folder, f)))
      throw new InputError(
        (opt) =>
          `${opt('history')} ${dir}: period ${asOf} has no ${f}; the store is corrupt or half-written`,
      );
  let model: TrackedModel;
  try {
    model = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as TrackedModel;
  } catch {
    throw new InputError(
      (opt) =>
        `${opt('history')} ${dir}: ${asOf}/model.json is not valid JSON; the store is corrupt`,
    );
  }
  const t = model?.tracking;
  if (!t || !Array.isArray(t.keys) || !Array.isArray(model.centres) || t.keys.length !== model.k)
    throw new InputError(
      (opt) =>
        `${opt('history')} ${dir}: ${asOf}/model.json has no valid tracking section; the store is corrupt`,
    );
  const psiBins = readPsiBins(dir, asOf);
  const needed = [t.idColumn, 'segment_key', 'raw_segment_key', 'pending_key', 'pending_periods'];
  let customers: Table;
  try {
    customers = parquetToTable(readFileSync(join(folder, 'customers.parquet')), STORE_BATCH_ROWS);
  } catch {
    throw new InputError(
      (opt) =>
        `${opt('history')} ${dir}: ${asOf}/customers.parquet cannot be read; the store is corrupt`,
    );
  }
  for (const c of needed)
    if (!customers.getChild(c))
      throw new InputError(
        (opt) =>
          `${opt('history')} ${dir}: ${asOf}/customers.parquet has no column '${c}'; the store is corrupt`,
      );
  return { asOf, model, customers, psiBins };
}

/** A period's PSI_BINS_FILE, undefined where it has none (written before it existed). */
function readPsiBins(dir: string, asOf: string): FeatureBins | undefined {
  const path = join(dir, asOf, PSI_BINS_FILE);
  if (!existsSync(path)) return undefined;
  const bins = parsePsiBins(readFileSync(path, 'utf8'));
  if (!bins)
    throw new InputError(
      (opt) =>
        `${opt('history')} ${dir}: ${asOf}/${PSI_BINS_FILE} holds no valid bins; the store is corrupt`,
    );
  return bins;
}

/** Where a new period goes: the period before it (if any) and the later periods `force` removes. */
export function planPeriod(
  dir: string,
  asOf: string,
  force: boolean,
): { previous: StoredPeriod | undefined; removeLater: string[] } {
  if (!isIsoDate(asOf))
    throw new UsageError((opt) => `${opt('asOf')}: expected a date as YYYY-MM-DD, got '${asOf}'`);
  const latest = readLatest(dir);
  const periods = listPeriods(dir).filter((p) => latest === undefined || p <= latest);
  const later = periods.filter((p) => p > asOf);
  if (later.length > 0 && !force)
    throw new UsageError(
      (opt) =>
        `${opt('asOf')} ${asOf} is before the store's latest period ${latest}; use ${opt('force')} to replace the periods after it`,
    );
  const before = periods.filter((p) => p < asOf);
  const previous = before.length > 0 ? readPeriod(dir, before[before.length - 1]) : undefined;
  return { previous, removeLater: later };
}

/**
 * Writes a period completely or not at all, then points `latest` at it and drops `removeLater`.
 * `files`: PERIOD_FILES, and optionally PSI_BINS_FILE.
 */
export function writePeriod(
  dir: string,
  asOf: string,
  files: Record<(typeof PERIOD_FILES)[number], string | Uint8Array> &
    Partial<Record<typeof PSI_BINS_FILE, string>>,
  removeLater: string[],
): void {
  mkdirSync(dir, { recursive: true });
  const tag = `${process.pid}`;
  const tmp = join(dir, `.tmp-${asOf}-${tag}`);
  const old = join(dir, `.old-${asOf}-${tag}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    for (const f of PERIOD_FILES) writeFileSync(join(tmp, f), files[f]);
    const bins = files[PSI_BINS_FILE];
    if (bins !== undefined) writeFileSync(join(tmp, PSI_BINS_FILE), bins);
    const target = join(dir, asOf);
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
    const latestTmp = join(dir, `.latest-${tag}`);
    writeFileSync(latestTmp, JSON.stringify({ as_of: asOf }) + '\n');
    renameSync(latestTmp, join(dir, 'latest'));
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  rmSync(old, { recursive: true, force: true });
  for (const p of removeLater) rmSync(join(dir, p), { recursive: true, force: true });
}

/** A period's customers.parquet: laid out for a fast write of millions of rows (ParquetLayout). */
export function tableParquet(table: Table): Uint8Array {
  return tableToParquet(table, 'fast');
}

/** CSV text with a header; values quoted where needed; non-finite numbers empty. */
export function csvText(header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number): string =>
    typeof v === 'number'
      ? Number.isFinite(v)
        ? String(v)
        : ''
      : /[",\n\r]/.test(v)
        ? `"${v.replaceAll('"', '""')}"`
        : v;
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}
