import { numberFormat } from './format.js';

/**
 * The report's number formats, used once on made-up numbers while the data is read and fitted
 * (prepareReport): ICU loads its locale and currency data at a process's first
 * Intl.NumberFormat, about a tenth of a first report's main-thread work otherwise (counted with
 * callgrind). Like loading ECharts, a cost of the process, not of each report.
 */
export function warmNumberFormats(): void {
  for (const currency of [undefined, 'USD']) {
    const fmt = numberFormat(currency);
    for (const x of [0.5, 12, 1234, 56_789, 1.2e6])
      [fmt.count(x), fmt.share(x / 1e6), fmt.money(x), fmt.moneyShort(x), fmt.value(x)].join();
  }
  (1234).toLocaleString('en');
}
