import type { Table } from 'apache-arrow';
import type { GmmParameters } from '../algo/gmm-math.js';
import { EnvironmentError, InputError, UsageError, type Message } from '../errors.js';
import type { SegmentModel } from '../model/model.js';
import type { Preprocessing } from '../prep/preprocess.js';
import type { Profiles } from '../segment/profile.js';
import type { EventRow } from '../track/events.js';
import type { MigrationRow } from '../track/migration.js';
import { loadPassKernel } from '../track/pass-kernel.js';
import { trackPeriod } from '../track/period.js';
import { PSI_BINS_FILE } from '../track/psi-bins.js';
import { recoverInterrupted, withStoreLock } from '../track/store-lock.js';
import {
  hasInterruptedWrites,
  listPeriods,
  planPeriod,
  readLatest,
  tableParquet,
  writePeriod,
  type StoredPeriod,
  type TrackedModel,
} from '../track/store.js';
import { HISTORY_PARAMETERS, resolveParameters, type ParameterOptions } from './parameters.js';

/**
 * `history`: the store of weekly runs (README "Weekly runs: --history"). A later period reuses the
 * previous model's features and preprocessing as they are (unless `refitPreprocessing`), keeps its
 * k and warm-starts from its centres (unless `rediscover`), matches the new clusters to the stored
 * segments, smooths the published segments and writes the period completely or not at all.
 */
export interface HistoryOptions extends Omit<
  ParameterOptions<typeof HISTORY_PARAMETERS>,
  'history'
> {
  /** The store's folder. */
  dir: string;
  /** Fit from scratch (k chosen again where a range is given); identities come from matching alone. */
  rediscover?: boolean;
  /** Refit the preprocessing instead of reusing the stored one (centre distances then not compared). */
  refitPreprocessing?: boolean;
  /** Allow an as-of earlier than the latest: the later periods are removed. */
  force?: boolean;
}

export interface HistoryResult {
  dir: string;
  asOf: string;
  previousAsOf: string | undefined;
  events: EventRow[];
  migration: MigrationRow[];
  migrationRaw: MigrationRow[];
  stability: Record<string, unknown>;
  /**
   * Wall time of reading the previous period from the store (`read`), of tracking (matching,
   * events, smoothing, migration, stability) and of writing the period.
   */
  seconds: { read: number; track: number; write: number };
}

export interface HistoryPlan {
  options: HistoryOptions & {
    confirmPeriods: number;
    survivalThreshold: number;
    splitThreshold: number;
  };
  asOf: string;
  /** The store's latest period when planned: the write checks no other run changed it since. */
  latest: string | undefined;
  previous: StoredPeriod | undefined;
  removeLater: string[];
  /** What the fit takes from the previous period. */
  frozenPreprocessing: Preprocessing | undefined;
  k: number | undefined;
  init: number[][] | undefined;
  /** A mixture's previous weights, means and covariances (frozen preprocessing, same k only). */
  mixtureWarmStart: GmmParameters | undefined;
  notices: Message[];
  /** Wall time of reading the previous period, in seconds. */
  readSeconds: number;
  /**
   * The tracking passes' kernel, assembled while the period is fitted (track/pass-kernel.ts):
   * awaited before recordPeriod; never rejects (the passes' own loops stand in).
   */
  kernel: Promise<void>;
}

/**
 * The checks that need no data: the options, and that the store is a folder (or not there yet).
 * segment runs them before reading the transaction log, so a wrong --history fails at once.
 */
export function checkHistoryOptions(h: HistoryOptions): HistoryPlan['options'] {
  if (typeof h.dir !== 'string' || h.dir.length === 0)
    throw new UsageError((opt) => `${opt('history')}: expected a folder`);
  const v = resolveParameters(HISTORY_PARAMETERS, h) as {
    confirmPeriods: number;
    survivalThreshold: number;
    splitThreshold: number;
  };
  if (v.splitThreshold > v.survivalThreshold)
    throw new UsageError(
      (opt) =>
        `${opt('splitThreshold')} ${v.splitThreshold} exceeds ${opt('survivalThreshold')} ${v.survivalThreshold}; lower it`,
    );
  listPeriods(h.dir);
  return { ...h, ...v };
}

/** Checks the options and the store, and plans the period: nothing is written. */
export function planHistory(
  h: HistoryOptions,
  asOf: string,
  features: string[] | undefined,
): HistoryPlan {
  const options = checkHistoryOptions(h);
  // An interrupted run's leftovers are repaired first (under the lock), so the checks see the store.
  if (hasInterruptedWrites(h.dir)) withStoreLock(h.dir, () => recoverInterrupted(h.dir));
  const latest = readLatest(h.dir);
  const reading = performance.now();
  const { previous, removeLater } = planPeriod(h.dir, asOf, h.force === true);
  const readSeconds = (performance.now() - reading) / 1000;
  const notices: Message[] = [];
  let frozenPreprocessing: Preprocessing | undefined;
  let k: number | undefined;
  let init: number[][] | undefined;
  let mixtureWarmStart: GmmParameters | undefined;
  if (previous) {
    const stored = previous.model.features;
    // Features left to their default are checked against the stored ones when the data is read.
    if (features && stored.join(',') !== features.join(','))
      throw new InputError(
        (opt) =>
          `${opt('history')} ${h.dir}: features (${features.join(', ')}) differ from the store's (${stored.join(', ')}) of ${previous.asOf}; use the same features or a new store`,
      );
    if (h.refitPreprocessing)
      notices.push(
        (opt) =>
          `refitting the preprocessing (${opt('refitPreprocessing')}): matching uses customer overlap only`,
      );
    else frozenPreprocessing = previous.model.preprocessing ?? undefined;
    if (!h.rediscover) {
      k = previous.model.k;
      init = previous.model.centresInputUnits;
      if (frozenPreprocessing) mixtureWarmStart = storedMixture(previous.model);
    }
  }
  return {
    options,
    asOf,
    latest,
    previous,
    removeLater,
    frozenPreprocessing,
    k,
    init,
    mixtureWarmStart,
    notices,
    readSeconds,
    kernel: previous ? loadPassKernel() : Promise.resolve(),
  };
}

/** A stored mixture's parameters in its clustering space, as EM starts from them. */
function storedMixture(m: SegmentModel): GmmParameters | undefined {
  if (m.algorithm !== 'gmm') return undefined;
  return {
    type: m.covarianceType,
    k: m.k,
    d: m.centres[0]?.length ?? 0,
    weights: Float64Array.from(m.weights),
    means: Float64Array.from(m.centres.flat()),
    covariances: Float64Array.from(m.covariances),
  };
}

export interface PeriodFit {
  idColumn: string;
  segments: Table;
  labels: Int32Array;
  model: SegmentModel;
  profiles: Profiles;
  names: string[] | undefined;
  features: string[];
}

/** Tracks the fitted period against the stored one and writes it; returns the published table. */
export function recordPeriod(
  plan: HistoryPlan,
  f: PeriodFit,
): { customers: Table; profiles: Profiles; model: TrackedModel; history: HistoryResult } {
  const started = performance.now();
  const t = trackPeriod(
    {
      asOf: plan.asOf,
      idColumn: f.idColumn,
      segments: f.segments,
      labels: f.labels,
      model: f.model,
      profiles: f.profiles,
      names: f.names,
      features: f.features,
      confirmPeriods: plan.options.confirmPeriods,
      thresholds: { survival: plan.options.survivalThreshold, split: plan.options.splitThreshold },
      sameSpace: !plan.options.refitPreprocessing,
    },
    plan.previous,
  );
  const tracked = performance.now();
  const files = {
    'model.json': JSON.stringify(t.model, null, 2) + '\n',
    'customers.parquet': tableParquet(t.customers),
    'profiles.csv': t.files.profiles,
    'events.csv': t.files.events,
    'migration.csv': t.files.migration,
    'migration_raw.csv': t.files.migrationRaw,
    'stability.json': t.files.stability,
    [PSI_BINS_FILE]: t.files.psiBins,
  };
  const dir = plan.options.dir;
  withStoreLock(dir, () => {
    recoverInterrupted(dir);
    const latest = readLatest(dir);
    if (latest !== plan.latest)
      throw new EnvironmentError(
        (opt) =>
          `${opt('history')} ${dir}: the store changed during this run (its latest period is now ${latest ?? 'none'}, was ${plan.latest ?? 'none'}): another run wrote to it; nothing was written, run again`,
        { code: 'GPUSEG_STORE_BUSY' },
      );
    writePeriod(dir, plan.asOf, files, plan.removeLater);
  });
  return {
    customers: t.customers,
    profiles: t.profiles,
    model: t.model,
    history: {
      dir: plan.options.dir,
      asOf: plan.asOf,
      previousAsOf: plan.previous?.asOf,
      events: t.events.events,
      migration: t.migration,
      migrationRaw: t.migrationRaw,
      stability: t.stability,
      seconds: {
        read: plan.readSeconds,
        track: (tracked - started) / 1000,
        write: (performance.now() - tracked) / 1000,
      },
    },
  };
}
