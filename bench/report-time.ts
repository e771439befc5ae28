/**
 * Report time against fit time (issue 14's bar: ≤ 2 s for the Online Retail demo, ≤ 10% of the
 * CPU fit at 10M customers). Writes N synthetic customers (gpuseg generate), fits k-means on the
 * RFM columns in memory, then makes the report from the fit (fitReport: profiles + a stratified
 * sample of ≤ 5,000 rows, never a pass over the rows per chart), and prints both times. The first
 * report of a process also loads ECharts (one module) and warms up its code; a second report of
 * the same fit is timed too (`report_again_seconds`): what each further report costs. With
 * --prepare, ECharts is loaded and warmed up next to the fit (prepareReport), as `segment
 * --report` and `fit --report` do.
 *
 *   npm run build && node dist/bench/report-time.js [--rows 10M] [--k 7] [--backend cpu] [--prepare] [--json]
 *
 * Run it on a quiet machine (timings with other work running mean nothing); results belong in
 * bench/RESULTS.md with the machine they came from.
 */
import { join } from 'node:path';
import { fit, fitReport, prepareReport, writeCustomers } from '../src/index.js';
import { benchArgs, customerFitOptions, printResult, runBench } from './bench-run.js';

const args = benchArgs(['prepare']);

runBench('report-time', async (dir) => {
  const { rows } = args;
  const input = join(dir, 'customers.arrows');
  await writeCustomers(input, rows, 1);
  const prepared = args.switches.prepare ? prepareReport() : undefined;
  const r = await fit(input, customerFitOptions(args));
  // Waiting here costs nothing when the fit took longer than loading ECharts (at 10M it does).
  const preparing = performance.now();
  await prepared;
  const waited = (performance.now() - preparing) / 1000;
  const timed = async (): Promise<{ seconds: number; html: string }> => {
    const started = performance.now();
    const html = await fitReport(r, { source: `${rows} synthetic customers`, currency: 'USD' });
    return { seconds: (performance.now() - started) / 1000, html };
  };
  const first = await timed();
  const again = await timed();
  const result = {
    rows,
    k: r.stats.k,
    backend: r.stats.backend,
    fit_seconds: r.stats.seconds,
    prepared: args.switches.prepare,
    prepare_wait_seconds: waited,
    report_seconds: first.seconds,
    report_share_of_fit: first.seconds / r.stats.seconds,
    report_again_seconds: again.seconds,
    report_again_share_of_fit: again.seconds / r.stats.seconds,
    report_bytes: Buffer.byteLength(first.html),
  };
  const pct = (x: number) => `${(100 * x).toFixed(1)}% of the fit`;
  printResult(
    args,
    result,
    `rows=${rows} k=${result.k} backend=${result.backend}: fit ${result.fit_seconds.toFixed(2)} s, report ${first.seconds.toFixed(2)} s (${pct(result.report_share_of_fit)}; ${args.switches.prepare ? `ECharts prepared during the fit, ${waited.toFixed(2)} s waited after it` : 'loads ECharts'}), again ${again.seconds.toFixed(2)} s (${pct(result.report_again_share_of_fit)}), ${(result.report_bytes / 1024).toFixed(0)} KiB`,
  );
});
