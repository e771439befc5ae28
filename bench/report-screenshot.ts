/**
 * Regenerates the README's screenshot of the demo report (docs/report-demo.png): segments the
 * Online Retail log as the README's first command does, writes the report (GBP) and photographs
 * its top in headless Debian chromium (puppeteer-core, no browser download).
 *
 *   npm run build && node dist/bench/report-screenshot.js [--html report.html] [--out docs/report-demo.png]
 *
 * Also prints how long the report took to make (the fit excluded), and its size.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fitReport, segment, shutdownCpuWorkers } from '../src/index.js';
import { benchFlags } from './bench-flags.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');

// Read before anything is made: an unknown flag must not regenerate the committed PNG.
const values = benchFlags(
  'report-screenshot',
  "Regenerates the README's screenshot of the demo report (Online Retail, GBP) in headless chromium.",
  {
    html: { type: 'string' },
    out: { type: 'string' },
  },
  {
    html: 'where to keep the report page (default: a temporary file)',
    out: 'the PNG to write (default: docs/report-demo.png)',
  },
);

async function main(): Promise<void> {
  const out = resolve(values.out ?? join(ROOT, 'docs/report-demo.png'));
  const html = resolve(
    values.html ?? join(mkdtempSync(join(tmpdir(), 'gpuseg-report-')), 'report.html'),
  );
  const r = await segment(join(ROOT, 'datasets/online_retail_uci.csv.gz'), {
    customer: 'CustomerID',
    date: 'InvoiceDate',
    quantity: 'Quantity',
    price: 'UnitPrice',
    order: 'InvoiceNo',
    backend: 'cpu',
  });
  const started = performance.now();
  const page = await fitReport(r.fit, {
    source: 'online_retail_uci.csv.gz',
    asOf: r.rfm.asOf,
    selection: r.selection,
    currency: 'GBP',
  });
  const ms = performance.now() - started;
  writeFileSync(html, page);
  console.log(
    `report: ${(Buffer.byteLength(page) / 1024).toFixed(0)} KiB in ${ms.toFixed(0)} ms → ${html}`,
  );
  await shutdownCpuWorkers();
  const puppeteer = await import('puppeteer-core');
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const tab = await browser.newPage();
    await tab.setViewport({ width: 1280, height: 1500 });
    await tab.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    // The top of the page: summary, segment cards, sizes and the start of the profiles.
    await tab.screenshot({
      path: out as `${string}.png`,
      clip: { x: 0, y: 0, width: 1280, height: 1500 },
    });
  } finally {
    await browser.close();
  }
  console.log(`screenshot: ${out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
