import { join } from 'node:path';
import type { Command } from 'commander';
import {
  HISTORY_PARAMETERS,
  UsageError,
  type HistoryOptions,
  type HistoryResult,
} from '../index.js';
import { addParameterOptions } from './options.js';

/** --history and its companions, as segment and fit take them. */
export interface HistoryFlags {
  history?: string;
  confirmPeriods?: number;
  survivalThreshold?: number;
  splitThreshold?: number;
  window?: number;
  rediscover?: boolean;
  refitPreprocessing?: boolean;
  force?: boolean;
}

export function addHistoryOptions(command: Command, window = true): Command {
  addParameterOptions(
    command,
    HISTORY_PARAMETERS.filter((p) => window || p.name !== 'window'),
  );
  return command
    .option('--rediscover', 'with --history: fit from scratch, identities from matching alone')
    .option(
      '--refit-preprocessing',
      'with --history: refit the preprocessing instead of reusing it',
    )
    .option('--force', 'with --history: an --as-of before the latest replaces the later periods');
}

/** Splits the history flags off the others; a companion flag without --history is a usage error. */
export function historyFromFlags<T extends HistoryFlags>(
  flags: T,
): { history: HistoryOptions | undefined; rest: Omit<T, keyof HistoryFlags> } {
  const { history, confirmPeriods, survivalThreshold, splitThreshold, window, ...a } = flags;
  const { rediscover, refitPreprocessing, force, ...rest } = a;
  const companions = {
    confirmPeriods,
    survivalThreshold,
    splitThreshold,
    window,
    rediscover,
    refitPreprocessing,
    force,
  };
  if (!history && Object.values(companions).some((v) => v !== undefined))
    throw new UsageError(
      '--confirm-periods, --survival-threshold, --split-threshold, --window, --rediscover, --refit-preprocessing and --force need --history DIR',
    );
  return {
    history: history ? { dir: history, ...companions } : undefined,
    rest: rest as Omit<T, keyof HistoryFlags>,
  };
}

/** A few lines about a --history period: events and stability. */
export function historySummary(h: HistoryResult): string {
  const s = h.stability as Record<string, unknown>;
  const f = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : 'n/a');
  const counts = new Map<string, number>();
  for (const e of h.events) counts.set(e.event, (counts.get(e.event) ?? 0) + 1);
  return [
    // join: a store given as 'store/' (as the README writes it) read 'store//2011-01-31'.
    `history: ${join(h.dir, h.asOf)}${h.previousAsOf ? ` (after ${h.previousAsOf})` : ' (first period)'}`,
    `events: ${[...counts].map(([e, n]) => `${e} ${n}`).join(', ')}`,
    ...(h.previousAsOf
      ? [
          `stability: ARI ${f(s.adjusted_rand_index)}  NMI ${f(s.normalized_mutual_info)}  flip rate raw ${f(s.flip_rate_raw)}, published ${f(s.flip_rate_published)}`,
        ]
      : []),
  ].join('\n');
}
