/**
 * The per-period overhead of --history tracking against the fit's own time (issue 13's bar: below
 * the CPU fit's time at 10M customers). Writes two synthetic periods of N customers with the same
 * ids (seeds 1 and 2: the same population, other draws, so segments shift and customers move),
 * fits the first into a fresh store, then fits the second with --history (preprocessing frozen,
 * k-means warm-started) and prints the fit's time, the tracking time (matching, events,
 * smoothing, migration, stability) and the time to write the period (Parquet and CSVs).
 * Beside them: reading the previous period from the store, the fit's Lloyd iterations (a warm
 * start from the previous centres on data of the same distribution converges in one or two: the
 * fit is a single pass over the rows, which is what a weekly re-run costs), its preparation of
 * the data and its per-row outputs, which the fit's own time leaves out.
 *
 * --persist: period 2 keeps 90% of the customers' period-1 values, 10% redrawn
 * (persisting-customers.ts), so segments survive as in a weekly re-run; without it every id is
 * drawn afresh and no segment keeps its members.
 *
 * Memory: the store's previous period, the two periods' tables and the fit's matrix are held at
 * once; at --rows 10M the process peaked at 5.3 GB resident (/usr/bin/time -v), no flags needed.
 *
 *   npm run build && node dist/bench/track-overhead.js [--rows 10M] [--k 7] [--backend cpu] [--persist] [--json]
 *
 * Run it on a quiet machine; results belong in bench/RESULTS.md with the machine they came from.
 */
import { join } from 'node:path';
import { fitWithHistory, writeCustomers } from '../src/index.js';
import { benchArgs, customerFitOptions, printResult, runBench } from './bench-run.js';
import { writePersistingCustomers } from './persisting-customers.js';

const args = benchArgs(
  'track-overhead',
  'The per-period overhead of --history tracking against the fit of the period.',
  { persist: "period 2 keeps 90% of the customers' period-1 values, as a weekly re-run does" },
);

runBench('track-overhead', async (dir) => {
  const { rows } = args;
  const periods = ['2024-01-31', '2024-02-29'];
  const inputs = periods.map((p) => join(dir, `customers-${p}.arrows`));
  await writeCustomers(inputs[0], rows, 1);
  if (args.switches.persist) await writePersistingCustomers(inputs[1], rows);
  else await writeCustomers(inputs[1], rows, 2);
  const options = { ...customerFitOptions(args), id: 'customer_id' };
  const history = { dir: join(dir, 'store') };
  await fitWithHistory(inputs[0], { ...options, asOf: periods[0], history });
  const started = performance.now();
  const r = await fitWithHistory(inputs[1], { ...options, asOf: periods[1], history });
  const total = (performance.now() - started) / 1000;
  const { read, track, write } = r.history.seconds;
  const timing = r.stats.timing;
  const result = {
    rows,
    k: r.stats.k,
    backend: r.stats.backend,
    persist: args.switches.persist,
    fit_seconds: r.stats.seconds,
    fit_iterations: r.stats.iterations,
    fit_prepare_seconds: timing?.prepare ?? null,
    fit_outputs_seconds: timing?.outputs ?? null,
    read_seconds: read,
    track_seconds: track,
    write_seconds: write,
    period_seconds: total,
    track_share_of_fit: track / r.stats.seconds,
    survived: r.history.events.filter((e) => e.event === 'survived').length,
  };
  const s = (x: number): string => `${x.toFixed(2)} s`;
  printResult(
    args,
    result,
    [
      `rows=${rows} k=${result.k} backend=${result.backend}${args.switches.persist ? ' (persisting customers)' : ''}`,
      `  fit             ${s(r.stats.seconds)} (${result.fit_iterations} iterations; besides: preparing the data ${s(timing?.prepare ?? NaN)}, per-row outputs ${s(timing?.outputs ?? NaN)})`,
      `  tracking        ${s(track)} (${(100 * result.track_share_of_fit).toFixed(0)}% of the fit): matching, events, smoothing, migration, stability`,
      `  reading store   ${s(read)} (the previous period's customers.parquet and model)`,
      `  writing period  ${s(write)} (customers.parquet, CSVs, model.json)`,
      `  whole period    ${s(total)}; ${result.survived} of ${result.k} segments survived`,
    ].join('\n'),
  );
});
