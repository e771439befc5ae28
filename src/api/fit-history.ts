import { Table, type Vector } from 'apache-arrow';
import { UsageError } from '../errors.js';
import { fit, type FitOptions, type FitResult } from './fit.js';
import { withModel } from './fit-result.js';
import { planHistory, recordPeriod, type HistoryOptions, type HistoryResult } from './history.js';
import type { TableInput } from './input.js';
import { checkObjectArgument } from '../util/arguments.js';
import { toNotice } from './notices.js';

/**
 * `fit` over a feature table with a --history store: one row per customer (`id`), the period's
 * date (`asOf`, required: a feature table has no dates). As segment's history: the stored
 * preprocessing is reused, k kept and the centres warm-started (unless the history options say
 * otherwise); `assignments` then carries the published segments and the tracking columns.
 */
export async function fitWithHistory(
  input: TableInput,
  options: FitOptions & { asOf: string; history: HistoryOptions },
): Promise<FitResult & { history: HistoryResult }> {
  checkObjectArgument(options, 'options');
  const { asOf, history, ...fitOptions } = options;
  if (options.algorithm === 'dbscan' || options.algorithm === 'birch')
    throw new UsageError(
      (opt) =>
        `${opt('history')} tracks k-means and gmm segments; ${opt('algorithm')} ${options.algorithm} is not tracked across periods yet`,
    );
  if (!options.id)
    throw new UsageError(
      (opt) => `${opt('history')} on fit needs ${opt('id')}: the customer id column`,
    );
  if (!asOf)
    throw new UsageError(
      (opt) => `${opt('history')} on fit needs ${opt('asOf')} YYYY-MM-DD: the period’s date`,
    );
  const plan = planHistory(history, asOf, options.features);
  plan.notices.map(toNotice).forEach((n) => options.onNotice?.(n.message, n));
  const result = await fit(input, {
    ...fitOptions,
    k: plan.k ?? options.k,
    ...(plan.init ? { init: plan.init } : {}),
    mixtureWarmStart: plan.mixtureWarmStart,
    frozenPreprocessing: plan.frozenPreprocessing,
  });
  const columns: Record<string, Vector> = {};
  for (const f of result.assignments.schema.fields)
    columns[f.name] = result.assignments.getChild(f.name)!;
  const table = result.data.table;
  const features = result.model.features;
  for (const c of [...features, 'monetary'])
    if (!(c in columns) && table.getChild(c)) columns[c] = table.getChild(c)!;
  await plan.kernel;
  const tracked = recordPeriod(plan, {
    idColumn: options.id,
    segments: new Table(columns),
    labels: result.labels,
    model: result.model,
    profiles: result.profiles,
    names: result.names,
    features,
  });
  return withModel(result, tracked.model, {
    assignments: tracked.customers,
    profiles: tracked.profiles,
    history: tracked.history,
  });
}
