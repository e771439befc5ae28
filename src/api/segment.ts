import { inFlight } from './lifecycle.js';
import { Table, type Vector } from 'apache-arrow';
import { UsageError, type Message } from '../errors.js';
import { rfm, type RfmOptions, type RfmResult } from '../segment/rfm.js';
import { fit, type FitOptions, type FitResult } from './fit.js';
import { withModel } from './fit-result.js';
import {
  checkHistoryOptions,
  planHistory,
  recordPeriod,
  type HistoryOptions,
  type HistoryResult,
} from './history.js';
import { SEGMENT_PARAMETERS, parameter, parameterDefault } from './parameters.js';
import { parseKRange, selectK, type SelectResult } from './select.js';
import { toNotice, type Notice } from './notices.js';
import { argumentError } from '../util/arguments.js';

/** segment's options: the transaction log's columns (rfm's) and fit's, but a k that may be a range. */
export interface SegmentOptions extends RfmOptions, Omit<FitOptions, 'k' | 'id'> {
  /** A number of segments, or a range to choose from ('2..8', the default). */
  k?: number | string;
  /** Weekly runs: a store of periods with stable segment keys (README "Weekly runs: --history"). */
  history?: HistoryOptions;
}

export interface SegmentResult {
  rfm: RfmResult;
  selection: SelectResult | undefined;
  fit: FitResult;
  /** Settings the chain used, for printing. */
  settings: Record<string, string | number | string[]>;
  /** Per customer: id, segment_id, segment_name, distance, then the RFM columns. */
  segments: Table;
  /** With `history`: the period's events, migration and stability. */
  history?: HistoryResult;
}

const DEFAULT_SEGMENT_FEATURES = ['recency_days', 'frequency', 'monetary'];
const DEFAULT_SEGMENT_LOG = ['frequency', 'monetary'];

/**
 * The whole chain for the common case: transactions → RFM features → preprocessing → k (chosen by
 * silhouette over a range, or given) → k-means (or the `algorithm` asked for; a mixture also
 * chooses k by BIC) → profiles → persona names → outputs.
 * Defaults: cluster on recency_days, frequency and monetary (log-transformed: frequency and
 * monetary are heavily skewed), standard scaling; the other RFM columns are profile-only.
 */
export async function segment(
  transactions: string,
  options: SegmentOptions,
): Promise<SegmentResult> {
  if (typeof transactions !== 'string')
    throw argumentError('transactions', 'a file path', transactions);
  return inFlight(options, () => segmentRun(transactions, options));
}

async function segmentRun(transactions: string, options: SegmentOptions): Promise<SegmentResult> {
  const kOption = options.k ?? (parameterDefault(parameter(SEGMENT_PARAMETERS, 'k')) as string);
  const single = typeof kOption === 'number' || /^\s*\d+\s*$/.test(kOption);
  const range = single ? undefined : parseKRange(kOption);
  if (single && !(Number(kOption) >= 1))
    throw new UsageError(
      (opt) => `${opt('k')}: expected an integer ≥ 1 or a range like 2..8, got '${kOption}'`,
    );
  const features = options.features ?? DEFAULT_SEGMENT_FEATURES;
  // The choice of k and the fit each open a backend and prepare the data: a notice they both
  // give (no GPU, imputed values) is passed on once.
  const noticed = new Set<string>();
  // Called by this code with a message, and as the fit's and the selection's onNotice with both.
  const onNotice = (message: Message | Notice, given?: Notice): void => {
    const notice = given ?? toNotice(message);
    if (noticed.has(notice.message)) return;
    noticed.add(notice.message);
    options.onNotice?.(notice.message, notice);
  };
  const { history, ...rest } = options;
  if (history?.window !== undefined && options.asOf === undefined)
    throw new UsageError(
      (opt) => `${opt('window')} needs ${opt('asOf')} YYYY-MM-DD: the window ends there`,
    );
  if (history) checkHistoryOptions(history);
  const r = await rfm(
    transactions,
    history ? { ...options, snapshot: true, window: history.window } : options,
  );
  const plan = history ? planHistory(history, r.asOf, features) : undefined;
  plan?.notices.forEach((n) => onNotice(n));
  if (r.droppedNoCustomer > 0)
    onNotice(`dropped ${r.droppedNoCustomer} of ${r.rows} rows without a customer`);
  if (r.customersWithoutPurchase > 0)
    onNotice(
      `left out ${r.customersWithoutPurchase} customers with no purchase row (returns only)`,
    );
  const available = r.table.schema.fields.map((f) => f.name);
  const profile =
    options.profile ?? available.filter((c) => c !== options.customer && !features.includes(c));
  const log = options.log ?? DEFAULT_SEGMENT_LOG.filter((c) => features.includes(c));
  const common = {
    ...rest,
    id: options.customer,
    features,
    profile,
    log,
    onNotice,
    ...(plan?.init ? { init: plan.init } : {}),
    mixtureWarmStart: plan?.mixtureWarmStart,
    frozenPreprocessing: plan?.frozenPreprocessing,
  };
  let selection: SelectResult | undefined;
  let k: number;
  // The ks a selection tried: the range, less those above the number of customers.
  let candidates: number[] = [];
  if (plan?.k !== undefined) k = plan.k;
  else if (range) {
    const top = Math.min(range[range.length - 1], r.customers);
    candidates = range.filter((c) => c <= top);
    if (candidates.length === 0)
      throw new UsageError(
        (opt) =>
          `${opt('k')} ${kOption}: only ${r.customers} customer${r.customers === 1 ? '' : 's'}; segmenting needs at least 2`,
      );
    // The choice of k uses full k-means (or the mixture); the final fit uses the algorithm asked for.
    selection = await selectK(r.table, {
      ...common,
      algorithm: options.algorithm === 'gmm' ? 'gmm' : 'kmeans',
      k: candidates,
      nInit: typeof options.nInit === 'number' ? options.nInit : undefined,
    });
    k = selection.recommended;
  } else k = Number(kOption);
  const result = await fit(r.table, { ...common, k });
  const columns: Record<string, Vector> = {};
  for (const f of result.assignments.schema.fields)
    columns[f.name] = result.assignments.getChild(f.name)!;
  for (const c of available) if (c !== options.customer) columns[c] = r.table.getChild(c)!;
  await plan?.kernel;
  const tracked = plan
    ? recordPeriod(plan, {
        idColumn: options.customer,
        segments: new Table(columns),
        labels: result.labels,
        model: result.model,
        profiles: result.profiles,
        names: result.names,
        features,
      })
    : undefined;
  return {
    rfm: r,
    selection,
    // With history, profiles go by stable key (of this period's clusters); the model carries the keys.
    fit: tracked ? withModel(result, tracked.model, { profiles: tracked.profiles }) : result,
    segments: tracked?.customers ?? new Table(columns),
    history: tracked?.history,
    settings: {
      as_of: r.asOf,
      customers: r.customers,
      k,
      k_choice:
        plan?.k !== undefined
          ? `kept from ${plan.previous?.asOf}`
          : range
            ? `best silhouette over ${candidates[0]}..${candidates[candidates.length - 1]}` +
              (candidates.length < range.length ? ` (of ${kOption}: ${r.customers} customers)` : '')
            : 'given',
      features,
      profile,
      log,
      scale: result.model.preprocessing?.scale.kind ?? 'none',
      backend: result.stats.backend,
      seed: result.model.seed,
    },
  };
}
