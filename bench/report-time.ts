/**
 * Report time against fit time (issue 14's bar: ≤ 2 s for the Online Retail demo, ≤ 10% of the
 * CPU fit at 10M customers). Writes N synthetic customers (gpuseg generate), fits k-means on the
 * RFM columns in memory, then makes the report from the fit (fitReport: profiles + a stratified
 * sample of ≤ 5,000 rows, never a pass over the rows per chart), and prints both times.
 *
 *   npm run build && node dist/bench/report-time.js [--rows 10M] [--k 7] [--backend cpu] [--json]
 *
 * Run it on a quiet machine (timings with other work running mean nothing); results belong in
 * bench/RESULTS.md with the machine they came from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  closeSharedGpu,
  fit,
  fitReport,
  parseCount,
  shutdownCpuWorkers,
  writeCustomers,
  type BackendChoice,
} from '../src/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10M' },
    k: { type: 'string', default: '7' },
    backend: { type: 'string', default: 'cpu' },
    json: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const rows = parseCount(values.rows!, '--rows');
  const dir = mkdtempSync(join(tmpdir(), 'gpuseg-report-time-'));
  try {
    const input = join(dir, 'customers.arrows');
    await writeCustomers(input, rows, 1);
    const features = ['recency_days', 'frequency', 'monetary'];
    const r = await fit(input, {
      k: Number(values.k),
      seed: 0,
      backend: values.backend as BackendChoice,
      features,
      log: ['frequency', 'monetary'],
      profile: ['avg_order_value', 'tenure_days', 'return_rate'],
    });
    const started = performance.now();
    const html = await fitReport(r, { source: `${rows} synthetic customers`, currency: 'USD' });
    const reportSeconds = (performance.now() - started) / 1000;
    const result = {
      rows,
      k: r.stats.k,
      backend: r.stats.backend,
      fit_seconds: r.stats.seconds,
      report_seconds: reportSeconds,
      report_share_of_fit: reportSeconds / r.stats.seconds,
      report_bytes: Buffer.byteLength(html),
    };
    console.log(
      values.json
        ? JSON.stringify(result)
        : `rows=${rows} k=${result.k} backend=${result.backend}: fit ${result.fit_seconds.toFixed(2)} s, report ${reportSeconds.toFixed(2)} s (${(100 * result.report_share_of_fit).toFixed(1)}% of the fit), ${(result.report_bytes / 1024).toFixed(0)} KiB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await shutdownCpuWorkers();
    await closeSharedGpu();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
