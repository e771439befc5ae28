/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { segmentColour } from '../src/report/palette.js';
import { errors, gpuseg, ROOT, tempDir } from './helpers/cli.js';
import { expectRowsEqualProfilesCsv } from './helpers/report.js';

/**
 * The Online Retail demo report in a real browser (Debian's chromium through puppeteer-core, no
 * browser download): nothing fetched, every chart inside the viewport at 1280 and 390 px with a
 * mark per segment, the data tables equal profiles.csv, text inside its boxes, and a PDF print
 * whose charts do not break across pages. Screenshots go to test-output/report-browser/ (or
 * $GPUSEG_TEST_OUTPUT/report-browser/).
 */
const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const OUT = join(process.env.GPUSEG_TEST_OUTPUT ?? join(ROOT, 'test-output'), 'report-browser');
/** The bar for the demo report's size. */
const MAX_BYTES = 1.5 * 1024 * 1024;

test.runIf(!HAVE_CHROMIUM)('Chromium is installed for the browser test', () => {
  // CI installs Debian's chromium; a developer machine without it skips the test, visibly.
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing; CI must install Debian's chromium`);
  console.warn(`report-browser: SKIPPED, ${CHROMIUM} is not installed (apt-get install chromium)`);
});

describe.runIf(HAVE_CHROMIUM)('the demo report in headless Chromium', () => {
  const dir = tempDir();
  const report = join(dir, 'report.html');
  /** The report of a --history period (section 6: sizes over time, migration, stability). */
  const historyReport = join(dir, 'history.html');
  const pages = { demo: report, history: historyReport };
  let browser: import('puppeteer-core').Browser;

  beforeAll(async () => {
    const r = gpuseg([
      'segment',
      'datasets/online_retail_uci.csv.gz',
      '--customer',
      'CustomerID',
      '--date',
      'InvoiceDate',
      '--quantity',
      'Quantity',
      '--price',
      'UnitPrice',
      '--order',
      'InvoiceNo',
      '--backend',
      'cpu',
      '--output',
      join(dir, 'segments.csv'),
      '--profile-output',
      join(dir, 'profiles.csv'),
      '--report',
      report,
      '--currency',
      'GBP',
    ]);
    expect(errors(r)).not.toMatch(/error/);
    expect(r.status).toBe(0);
    for (const asOf of ['2011-11-30', '2011-12-09']) {
      const h = gpuseg([
        'segment',
        'datasets/online_retail_uci.csv.gz',
        ...['--customer', 'CustomerID', '--date', 'InvoiceDate', '--quantity', 'Quantity'],
        ...['--price', 'UnitPrice', '--order', 'InvoiceNo', '--backend', 'cpu', '--k', '4'],
        ...['--as-of', asOf, '--history', join(dir, 'store')],
        ...['--output', join(dir, `segments-${asOf}.parquet`), '--report', historyReport],
      ]);
      expect(errors(h)).not.toMatch(/error/);
      expect(h.status).toBe(0);
    }
    mkdirSync(OUT, { recursive: true });
    const puppeteer = await import('puppeteer-core');
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu'],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
  });

  test('the demo report is at most 1.5 MB', () => {
    expect(statSync(report).size).toBeLessThanOrEqual(MAX_BYTES);
  });

  /** A page on the report that fails the test on any request but the report itself. */
  async function open(width: number, file = report) {
    const url = pathToFileURL(file).href;
    const page = await browser.newPage();
    const requests: string[] = [];
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.url() === url) void request.continue();
      else {
        requests.push(request.url());
        void request.abort();
      }
    });
    await page.setViewport({ width, height: 900 });
    await page.goto(url, { waitUntil: 'load' });
    return { page, requests };
  }

  for (const [kind, file] of Object.entries(pages))
    for (const width of [1280, 390]) {
      test(`${kind} at ${width} px: no request, charts inside the viewport, a mark per segment, text in its box`, async () => {
        const { page, requests } = await open(width, file);
        const layout = await page.evaluate(() => {
          const hex = (c: string | null): string | null => {
            if (!c) return null;
            const rgb = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/i.exec(c);
            if (rgb)
              return (
                '#' +
                rgb
                  .slice(1, 4)
                  .map((v) => Number(v).toString(16).padStart(2, '0'))
                  .join('')
              );
            return /^#[0-9a-f]{6}/i.test(c) ? c.slice(0, 7).toLowerCase() : null;
          };
          const charts = [...document.querySelectorAll<HTMLElement>('figure.chart')].map((f) => {
            const svg = f.querySelector('svg')!.getBoundingClientRect();
            const colours = new Set<string>();
            f.querySelectorAll('svg *').forEach((e) => {
              for (const a of ['fill', 'stroke']) {
                const c = hex(e.getAttribute(a));
                if (c) colours.add(c);
              }
            });
            return {
              id: f.dataset.chart!,
              left: svg.left,
              right: svg.right,
              width: svg.width,
              segments: f.dataset.segments ? f.dataset.segments.split(',').map(Number) : [],
              colours: [...colours],
            };
          });
          const overflowing = [
            ...document.querySelectorAll<HTMLElement>(
              'h1, h2, h3, p, li, .summary td, .summary th, .card, summary',
            ),
          ]
            .filter((e) => e.scrollWidth > e.clientWidth + 1)
            .map((e) => `${e.tagName} ${e.textContent!.slice(0, 40)}`);
          return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            charts,
            overflowing,
            cards: document.querySelectorAll('.card').length,
          };
        });
        expect(requests).toEqual([]);
        expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
        expect(layout.charts.length).toBeGreaterThanOrEqual(10);
        expect(layout.cards).toBeGreaterThanOrEqual(2);
        for (const c of layout.charts) {
          expect(c.left, c.id).toBeGreaterThanOrEqual(0);
          expect(c.right, c.id).toBeLessThanOrEqual(layout.innerWidth);
          expect(c.width, c.id).toBeGreaterThan(100);
          for (const s of c.segments)
            expect(c.colours, `${c.id}: segment ${s}`).toContain(segmentColour(s).toLowerCase());
        }
        // Every segment has its mark on the per-segment charts (sizes, snake, boxes, projection).
        const perSegment = layout.charts.filter((c) => c.segments.length > 0).map((c) => c.id);
        expect(perSegment).toEqual(expect.arrayContaining(['sizes', 'snake', 'projection']));
        if (kind === 'history')
          expect(perSegment).toEqual(
            expect.arrayContaining(['history-sizes', 'history-sankey', 'history-drift']),
          );
        expect(layout.charts.find((c) => c.id === 'sizes')!.segments).toHaveLength(layout.cards);
        expect(layout.overflowing).toEqual([]);
        const shot = join(OUT, `${kind === 'demo' ? 'report' : kind}-${width}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        expect(statSync(shot).size).toBeGreaterThan(10_000);
        await page.close();
      });
    }

  test('the data tables equal profiles.csv', async () => {
    const { page } = await open(1280);
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll('#chart-snake tbody tr')].map((tr) =>
        [...tr.querySelectorAll('td')].map((td) =>
          td.hasAttribute('data-value') ? td.getAttribute('data-value')! : td.textContent!,
        ),
      ),
    );
    expectRowsEqualProfilesCsv(rows, readFileSync(join(dir, 'profiles.csv'), 'utf8'));
    // And the size chart's table holds each segment's size from the same profiles.
    const sizes = await page.evaluate(() =>
      [...document.querySelectorAll('#chart-sizes tbody tr')].map((tr) =>
        Number(tr.querySelectorAll('td')[1].getAttribute('data-value')),
      ),
    );
    const csv = readFileSync(join(dir, 'profiles.csv'), 'utf8').trim().split('\n').slice(1);
    const csvSizes = [
      ...new Map(csv.map((l) => l.split(',')).map((f) => [f[0], Number(f[2])])).values(),
    ];
    expect(sizes).toEqual(csvSizes);
    await page.close();
  });

  for (const [kind, file] of Object.entries(pages))
    test(`${kind}: print to PDF: every chart avoids page breaks and fits on one page`, async () => {
      const { page, requests } = await open(1280, file);
      await page.emulateMediaType('print');
      const charts = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('figure.chart')].map((f) => ({
          id: f.dataset.chart!,
          breakInside: getComputedStyle(f).breakInside,
          height: f.getBoundingClientRect().height,
        })),
      );
      for (const c of charts) {
        expect(c.breakInside, c.id).toBe('avoid');
        // A4 at 96 px/in is 1123 px tall; with Chromium's default margins about 1050 px print.
        expect(c.height, c.id).toBeLessThan(1000);
      }
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
      writeFileSync(join(OUT, kind === 'demo' ? 'report.pdf' : `${kind}.pdf`), pdf);
      expect(requests).toEqual([]);
      await page.close();
    });
});
