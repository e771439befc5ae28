/**
 * The per-period overhead of --history tracking against the fit's own time (issue 13's bar: below
 * the CPU fit's time at 10M customers). Writes two synthetic periods of N customers with the same
 * ids (seeds 1 and 2: the same population, other draws, so segments shift and customers move),
 * fits the first into a fresh store, then fits the second with --history (preprocessing frozen,
 * k-means warm-started) and prints the fit's time, the tracking time (matching, events,
 * smoothing, migration, stability) and the time to write the period (Parquet and CSVs).
 *
 *   npm run build && node dist/bench/track-overhead.js [--rows 10M] [--k 7] [--backend cpu] [--json]
 *
 * Run it on a quiet machine; results belong in bench/RESULTS.md with the machine they came from.
 */
import { join } from 'node:path';
import { fitWithHistory, writeCustomers } from '../src/index.js';
import { benchArgs, customerFitOptions, printResult, runBench } from './bench-run.js';

const args = benchArgs();

runBench('track-overhead', async (dir) => {
  const { rows } = args;
  const periods = ['2024-01-31', '2024-02-29'];
  const inputs = periods.map((p) => join(dir, `customers-${p}.arrows`));
  for (const [i, path] of inputs.entries()) await writeCustomers(path, rows, i + 1);
  const options = { ...customerFitOptions(args), id: 'customer_id' };
  const history = { dir: join(dir, 'store') };
  await fitWithHistory(inputs[0], { ...options, asOf: periods[0], history });
  const started = performance.now();
  const r = await fitWithHistory(inputs[1], { ...options, asOf: periods[1], history });
  const total = (performance.now() - started) / 1000;
  const result = {
    rows,
    k: r.stats.k,
    backend: r.stats.backend,
    fit_seconds: r.stats.seconds,
    track_seconds: r.history.seconds.track,
    write_seconds: r.history.seconds.write,
    period_seconds: total,
    track_share_of_fit: r.history.seconds.track / r.stats.seconds,
    survived: r.history.events.filter((e) => e.event === 'survived').length,
  };
  printResult(
    args,
    result,
    `rows=${rows} k=${result.k} backend=${result.backend}: fit ${result.fit_seconds.toFixed(2)} s, tracking ${result.track_seconds.toFixed(2)} s (${(100 * result.track_share_of_fit).toFixed(0)}% of the fit), writing the period ${result.write_seconds.toFixed(2)} s, whole period ${total.toFixed(2)} s; ${result.survived} of ${result.k} segments survived`,
  );
});
