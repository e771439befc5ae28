import { Dictionary, Int32, makeData, Table, Utf8, Vector, vectorFromArray } from 'apache-arrow';
import { InputError } from '../errors.js';
import type { SegmentModel } from '../model/model.js';
import { profilesCsv, type Profiles } from '../segment/profile.js';
import {
  DEFAULT_THRESHOLDS,
  firstPeriod,
  trackEvents,
  type EventResult,
  type Thresholds,
} from './events.js';
import { matchClusters, matchingCost } from './matching.js';
import { firstMigration, migrationRows, type MigrationRow } from './migration.js';
import {
  chunksIn,
  chunksOf,
  int32Vector,
  sameIntegerRows,
  whole,
  withinBatches,
  type Column,
} from './chunk-rows.js';
import { alignment, type IdColumn } from './overlap.js';
import {
  overlapPass,
  rawMigrationGrid,
  type OverlapPass,
  type PriorState,
} from './period-passes.js';
import { publishPass, type PublishPass } from './publish-pass.js';
import { beginFeatureBins, dropFeatureBins, finishFeatureBins } from './feature-psi.js';
import { psiBinsText } from './psi-bins.js';
import { contingencyOfGrid } from './stability.js';
import { numbers, stabilityFigures, type Tallies } from './stability-figures.js';
import { csvText, type StoredPeriod, type TrackedModel } from './store.js';

/** One period's tracking: identities, events, smoothing, migration and stability. */
export interface TrackInput {
  asOf: string;
  idColumn: string;
  /** The period's per-customer output (id, segment_id, segment_name, distance, features...). */
  segments: Table;
  /** This period's clusters, 0..k−1, per customer (rows of `segments`). */
  labels: Int32Array;
  model: SegmentModel;
  profiles: Profiles;
  names: string[] | undefined;
  /** Feature columns for PSI. */
  features: string[];
  confirmPeriods: number;
  thresholds?: Thresholds;
  /** False when the preprocessing was refitted: centres are then not comparable (cost uses overlap only). */
  sameSpace: boolean;
}

export interface TrackedPeriod {
  model: TrackedModel;
  /** `segments` with segment_id/segment_name published, plus segment_key, raw_segment_key, pending_key, pending_periods. */
  customers: Table;
  /** This period's cluster profiles under their stable keys and names. */
  profiles: Profiles;
  events: EventResult;
  migration: MigrationRow[];
  migrationRaw: MigrationRow[];
  stability: Record<string, unknown>;
  files: {
    profiles: string;
    events: string;
    migration: string;
    migrationRaw: string;
    stability: string;
    /** psi-bins.ts PSI_BINS_FILE: this period's feature bins, the next period's expected side. */
    psiBins: string;
  };
}

const typeName = (t: { toString(): string }): string => String(t);

function ids(table: Table, column: string): IdColumn {
  return table.getChild(column)!.toArray() as IdColumn;
}

/** An int32 column as one array (read only: no copy when it already is one). */
function int32(table: Table, column: string): Int32Array {
  const values = table.getChild(column)!.toArray() as ArrayLike<number>;
  return values instanceof Int32Array ? values : Int32Array.from(values);
}

/** An int32 column chunk by chunk where `chunked` (and its chunks allow), else as one array. */
function int32Column(table: Table, column: string, chunked: boolean): Column<Int32Array> {
  return (chunked && chunksOf(table, column, Int32Array)) || int32(table, column);
}

/** A numeric column as float64, chunk by chunk where it is float64 already. */
function moneyColumn(table: Table): Column<Float64Array> | undefined {
  return chunksOf(table, 'monetary', Float64Array) ?? numbers(table, 'monetary');
}

/**
 * Tracks this period against the stored previous one. The previous period is consumed: where its
 * customers' batches line up with this period's, its int32 columns are overwritten with this
 * period's (publish-pass.ts); the store's files are not touched.
 */
export function trackPeriod(input: TrackInput, previous: StoredPeriod | undefined): TrackedPeriod {
  const { model, labels, segments, idColumn } = input;
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  const k = model.k;
  const proposed = Array.from({ length: k }, (_, b) => input.names?.[b] ?? `Segment ${b}`);
  const idType = typeName(segments.getChild(idColumn)!.type);
  const monetary = moneyColumn(segments);
  let ev: EventResult;
  let prevRow: Int32Array | undefined;
  let prior: PriorState | undefined;
  let counted: OverlapPass | undefined;
  const prevNames = new Map<number, string>();
  // The features' bins are counted beside the passes below where the helper thread can read them.
  const featureBins = beginFeatureBins(input.features, segments, previous);
  let pass: PublishPass;
  try {
    if (previous) {
      const t = previous.model.tracking;
      if (t.idColumn !== idColumn || t.idType !== idType)
        throw new InputError(
          (opt) =>
            `${opt('history')}: customer id '${idColumn}' (${idType}) differs from the store's '${t.idColumn}' (${t.idType}) of ${previous.asOf}; use the same id column and type`,
        );
      t.keys.forEach((key, a) => prevNames.set(key, t.names[a]));
      // The same ids in the same order (a weekly export of one base): row i is previous row i, and
      // the previous columns are read chunk by chunk; else each row's previous row, looked up.
      const same = sameIntegerRows(previous.customers, segments, idColumn) === true;
      const aligned = same
        ? { row: undefined, sameOrder: true }
        : alignment(ids(previous.customers, idColumn), ids(segments, idColumn));
      prevRow = aligned.sameOrder ? undefined : aligned.row;
      const column = (name: string) => int32Column(previous.customers, name, prevRow === undefined);
      prior = {
        keys: t.keys,
        raw: column('raw_segment_key'),
        published: column('segment_key'),
        pending: column('pending_key'),
        pendingPeriods: column('pending_periods'),
        // Overwritten with this period's where they line up (publish-pass.ts): no fresh arrays.
        ...(prevRow === undefined && {
          segmentId: chunksOf(previous.customers, 'segment_id', Int32Array),
          nameIndex: chunksOf(previous.customers, 'segment_name', Int32Array),
        }),
        monetary: moneyColumn(previous.customers),
        asOf: previous.asOf,
      };
      counted = overlapPass(labels, k, prevRow, aligned.sameOrder, prior, monetary);
      const overlap = counted.overlap;
      const dims = model.centres[0]?.length ?? 0;
      const cost = matchingCost(
        Float64Array.from(previous.model.centres.flat()),
        Float64Array.from(model.centres.flat()),
        dims,
        overlap,
        input.sameSpace && previous.model.centres[0]?.length === dims ? 0.5 : 0,
      );
      const match = matchClusters(cost, t.keys.length, k);
      ev = trackEvents(
        Int32Array.from(t.keys),
        t.names,
        overlap,
        match,
        proposed,
        t.nextKey,
        thresholds,
      );
    } else {
      ev = firstPeriod(proposed);
      prevRow = new Int32Array(0);
    }
    pass = publishPass(
      labels,
      ev.keys,
      prevRow,
      prior,
      input.confirmPeriods,
      monetary,
      counted,
      // The previous period's columns are overwritten where that leaves the batches of this
      // period's table (and so its customers.parquet) as they were.
      prior !== undefined && withinBatches(prior.raw, segments),
    );
  } catch (error) {
    // The helper stops taking features: nothing of this period is wanted any more.
    dropFeatureBins(featureBins);
    throw error;
  }
  const columns: Record<string, Vector> = {};
  for (const f of segments.schema.fields) {
    if (f.name === 'segment_id') {
      // Each column its own array: apache-arrow's IPC writer miscounts a body whose columns share one.
      columns.segment_id = int32Vector(pass.publishedCopy);
      columns.segment_key = int32Vector(pass.published);
      columns.segment_name = nameColumn(pass.nameIndex, ev.names);
      columns.raw_segment_key = int32Vector(pass.raw);
      columns.pending_key = int32Vector(pass.pending);
      columns.pending_periods = int32Vector(pass.pendingPeriods);
    } else if (f.name !== 'segment_name') columns[f.name] = segments.getChild(f.name)!;
  }
  const customers = new Table(columns);
  const published = pass.migration;
  const migration = migrationRows(
    published.fromKeys,
    published.toKeys,
    published.customers,
    published.money,
  );
  const features = finishFeatureBins(featureBins);
  let migrationRaw: MigrationRow[];
  let stability: Record<string, unknown>;
  if (previous && prior && counted) {
    const raw = rawMigrationGrid(counted, prior.keys, ev.keys);
    migrationRaw = migrationRows(raw.fromKeys, raw.toKeys, raw.customers, raw.money);
    stability = stabilityFigures(
      { ...input, customers: labels.length, events: ev, psi: features.psi },
      previous,
      tallies(counted, pass, prior.keys, ev.keys),
    );
  } else {
    migrationRaw = firstMigration(whole(pass.raw), monetary && whole(monetary));
    stability = { as_of: input.asOf, previous_as_of: null, customers: labels.length };
  }
  const nameOf = new Map<number, string>();
  ev.keys.forEach((key, b) => nameOf.set(key, ev.names[b]));
  const tracked: TrackedModel = {
    ...model,
    segmentNames: ev.names,
    tracking: {
      asOf: input.asOf,
      keys: [...ev.keys],
      names: ev.names,
      parents: [...ev.parents],
      nextKey: ev.nextKey,
      confirmPeriods: input.confirmPeriods,
      idColumn,
      idType,
    },
  };
  const nameFor = (key: string, names: Map<number, string>): string =>
    key === 'new' || key === 'gone' ? '' : (names.get(Number(key)) ?? '');
  const migrationCsv = (rows: MigrationRow[], from: Map<number, string>): string =>
    csvText(
      [
        'from_key',
        'from_name',
        'to_key',
        'to_name',
        'customers',
        'row_share',
        'monetary',
        'monetary_share',
      ],
      rows.map((r) => [
        r.from,
        nameFor(r.from, from),
        r.to,
        nameFor(r.to, nameOf),
        r.customers,
        r.rowShare,
        r.monetary,
        r.monetaryShare,
      ]),
    );
  const keyed = {
    ...input.profiles,
    segments: input.profiles.segments.map((s) => ({
      ...s,
      segment: ev.keys[s.segment],
      name: ev.names[s.segment],
    })),
  };
  return {
    model: tracked,
    customers,
    profiles: keyed,
    events: ev,
    migration,
    migrationRaw,
    stability,
    files: {
      profiles: profilesCsv(keyed),
      events: csvText(
        ['event', 'from_key', 'from_name', 'to_key', 'to_name', 'overlap', 'parent_key'],
        ev.events.map((e) => [
          e.event,
          e.fromKey >= 0 ? e.fromKey : '',
          e.fromName,
          e.toKey >= 0 ? e.toKey : '',
          e.toName,
          e.overlap,
          e.toKey >= 0 && ev.parents[ev.keys.indexOf(e.toKey)] >= 0
            ? ev.parents[ev.keys.indexOf(e.toKey)]
            : '',
        ]),
      ),
      migration: migrationCsv(migration, prevNames),
      migrationRaw: migrationCsv(migrationRaw, prevNames),
      stability:
        JSON.stringify(
          stability,
          (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
          2,
        ) + '\n',
      psiBins: psiBinsText(features.bins),
    },
  };
}

/**
 * segment_name of each customer's published key, dictionary-encoded as fit's outputs are: one
 * string per live segment instead of one per customer (at 10M customers, encoding a string per
 * row cost more than the rest of the tracking). `indices`: each customer's index into `names`.
 */
function nameColumn(indices: Column<Int32Array>, names: string[]): Vector {
  const type = new Dictionary(new Utf8(), new Int32(), 0);
  const dictionary = vectorFromArray([...names], new Utf8());
  return new Vector(
    chunksIn(indices).map((data) =>
      makeData({ type, length: data.length, nullCount: 0, data, dictionary }),
    ),
  );
}

/** The stability figures' counts, read off the two passes' grids. */
function tallies(
  counted: OverlapPass,
  pass: PublishPass,
  prevKeys: readonly number[],
  keys: Int32Array,
): Tallies {
  const { kPrev, kNew, counts, newShared } = counted.overlap;
  let shared = 0;
  let stayed = 0;
  for (let b = 0; b < kNew; b++) shared += newShared[b];
  for (let a = 0; a < kPrev; a++)
    for (let b = 0; b < kNew; b++) if (prevKeys[a] === keys[b]) stayed += counts[a * kNew + b];
  let gone = 0;
  for (let a = 0; a < kPrev; a++) gone += counted.goneRaw[a];
  // Published sizes: the migration grid's column totals (this period) and row totals (previous).
  const g = pass.migration;
  const F = g.fromKeys.length + 1;
  const D = g.toKeys.length + 1;
  const sizes = new Map<number, number>();
  g.toKeys.forEach((key, t) => {
    let s = 0;
    for (let f = 0; f < F; f++) s += g.customers[f * D + t];
    if (s > 0) sizes.set(key, s);
  });
  const previousSizes = new Map<number, number>();
  g.fromKeys.forEach((key, f) => {
    let s = 0;
    for (let t = 0; t < D; t++) s += g.customers[(f + 1) * D + t];
    if (s > 0) previousSizes.set(key, s);
  });
  return {
    contingency: contingencyOfGrid(counts, counted.firstRow, kPrev, kNew),
    shared,
    gone,
    flipsRaw: shared - stayed,
    flipsPublished: pass.flipsPublished,
    sizes,
    previousSizes,
  };
}
