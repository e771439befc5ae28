/**
 * Report time against fit time (issue 14's bar: ≤ 2 s for the Online Retail demo, ≤ 10% of the
 * CPU fit at 10M customers). Writes N synthetic customers (gpuseg generate, streamed a batch at a
 * time), fits k-means on the RFM columns in memory, then makes the report from the fit (fitReport:
 * the fit's profiles + a stratified sample of ≤ 5,000 rows chosen from a pool of ≤ 100,000 labels,
 * never a pass over the rows), and prints both times. The first report of a process also loads
 * ECharts (one module) and compiles its code; a second report of the same fit is timed too
 * (`report_again_seconds`): what each further report costs. With --prepare, ECharts is loaded and
 * warmed up next to the fit (prepareReport), as `segment --report` and `fit --report` do.
 * `report_cpu_seconds`: the CPU time of the whole process (every thread: V8 optimises ECharts'
 * code on its compiler threads, ~0.2-0.3 s a report over the first few) during the first
 * report, which load on the machine changes less than its wall time. With
 * --demo FILE (datasets/online_retail_uci.csv.gz), the README's report command is timed too, in a
 * process of its own after the synthetic runs: `segment` of the transactions (ECharts prepared
 * meanwhile with --prepare), then its report (`demo_report_seconds`).
 *
 *   npm run build && node dist/bench/report-time.js [--rows 10M] [--k 7] [--backend cpu] [--prepare] [--demo FILE] [--json]
 *
 * 10M customers peak at 2.5 GiB RSS (measured: /usr/bin/time -f %M, with --demo). Run it
 * on a quiet machine (timings with other work running mean nothing); results belong in
 * bench/RESULTS.md with the machine they came from.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fit, fitReport, prepareReport, segment, writeCustomers } from '../src/index.js';
import { benchArgs, customerFitOptions, printResult, runBench } from './bench-run.js';

const args = benchArgs(
  'report-time',
  'Report time against fit time: synthetic customers, and the Online Retail demo with --demo.',
  {
    prepare: 'load and warm ECharts beside the fit, as segment --report does',
    'demo-only': 'time the demo alone (internal: the demo runs in a process of its own)',
  },
  {
    demo: 'the Online Retail transactions (datasets/online_retail_uci.csv.gz) to time the README report on',
  },
);
const demo = args.strings.demo;

interface DemoTimes {
  segment: number;
  report: number;
  bytes: number;
}

/** The README's report command (segment … --report --currency GBP): seconds of its segment and report. */
async function demoTimes(file: string): Promise<DemoTimes> {
  if (args.switches.prepare) void prepareReport();
  const started = performance.now();
  const r = await segment(file, {
    customer: 'CustomerID',
    date: 'InvoiceDate',
    quantity: 'Quantity',
    price: 'UnitPrice',
    order: 'InvoiceNo',
    backend: args.backend,
  });
  const reporting = performance.now();
  const html = await fitReport(r.fit, {
    source: file.split(/[\\/]/).pop(),
    asOf: r.rfm.asOf,
    selection: r.selection,
    currency: 'GBP',
  });
  const done = performance.now();
  return {
    segment: (reporting - started) / 1000,
    report: (done - reporting) / 1000,
    bytes: Buffer.byteLength(html),
  };
}

/**
 * The demo in a process of its own (this script with --demo-only), after the synthetic runs: its
 * report is then the process's first, with ECharts prepared during `segment`, as the CLI makes it.
 */
function demoInOwnProcess(file: string): DemoTimes {
  const flags = ['--demo-only', '--demo', file, '--backend', args.backend];
  const child = spawnSync(
    process.execPath,
    [process.argv[1], ...flags, ...(args.switches.prepare ? ['--prepare'] : [])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (child.status !== 0) throw new Error(`the demo run failed (exit ${child.status})`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as DemoTimes;
}

if (args.switches['demo-only'])
  runBench('report-demo', async () => {
    if (!demo) throw new Error('--demo-only needs --demo FILE');
    console.log(JSON.stringify(await demoTimes(demo)));
  });
else
  runBench('report-time', async (dir) => {
    const { rows } = args;
    const input = join(dir, 'customers.arrows');
    await writeCustomers(input, rows, 1);
    const prepared = args.switches.prepare ? prepareReport() : undefined;
    const r = await fit(input, customerFitOptions(args));
    // Waiting here costs nothing when the fit took longer than the warm-up (at 10M it does).
    const preparing = performance.now();
    await prepared;
    const waited = (performance.now() - preparing) / 1000;
    const cpuSeconds = () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    };
    const timed = async (): Promise<{ seconds: number; cpu: number; html: string }> => {
      const started = performance.now();
      const cpu = cpuSeconds();
      const html = await fitReport(r, { source: `${rows} synthetic customers`, currency: 'USD' });
      return { seconds: (performance.now() - started) / 1000, cpu: cpuSeconds() - cpu, html };
    };
    const first = await timed();
    const again = await timed();
    const shown = demo ? demoInOwnProcess(demo) : undefined;
    const result = {
      rows,
      k: r.stats.k,
      backend: r.stats.backend,
      fit_seconds: r.stats.seconds,
      prepared: args.switches.prepare,
      prepare_wait_seconds: waited,
      report_seconds: first.seconds,
      report_cpu_seconds: first.cpu,
      report_share_of_fit: first.seconds / r.stats.seconds,
      report_again_seconds: again.seconds,
      report_again_share_of_fit: again.seconds / r.stats.seconds,
      report_bytes: Buffer.byteLength(first.html),
      ...(shown
        ? {
            demo_segment_seconds: shown.segment,
            demo_report_seconds: shown.report,
            demo_report_bytes: shown.bytes,
          }
        : {}),
    };
    const pct = (x: number) => `${(100 * x).toFixed(1)}% of the fit`;
    printResult(
      args,
      result,
      `rows=${rows} k=${result.k} backend=${result.backend}: fit ${result.fit_seconds.toFixed(2)} s, report ${first.seconds.toFixed(2)} s (${pct(result.report_share_of_fit)}; ${first.cpu.toFixed(2)} s CPU; ${args.switches.prepare ? `ECharts prepared during the fit, ${waited.toFixed(2)} s waited after it` : 'loads ECharts'}), again ${again.seconds.toFixed(2)} s (${pct(result.report_again_share_of_fit)}), ${(result.report_bytes / 1024).toFixed(0)} KiB` +
        (shown
          ? `; demo (${demo}): segment ${shown.segment.toFixed(2)} s, report ${shown.report.toFixed(2)} s, ${(shown.bytes / 1024).toFixed(0)} KiB`
          : ''),
    );
  });
