import { UsageError } from '../errors.js';

/**
 * Numbers for people: counts as 1.2k / 3.4M, shares as 34%, money as £5,149 with a currency
 * (plain 5,149 without), other values to three significant digits. One fixed locale ('en'), so a
 * report reads the same wherever it was made.
 */
export interface NumberFormat {
  /** A count of customers: 980, 1.2k, 34k, 1.2M. */
  count(n: number): string;
  /** A share in [0, 1]: 34%, 0.5%. */
  share(x: number): string;
  /** An amount of money: £5,149 with a currency, else 5,149. */
  money(x: number): string;
  /** Money on an axis or a bar: £1.2M, £980. */
  moneyShort(x: number): string;
  /** Any other value in original units: 25, 1.23, 0.0456, 12.3k. */
  value(x: number): string;
  /** A signed relative difference: +25%, −40%. */
  relative(x: number): string;
}

const LOCALE = 'en';

/** Checks an ISO 4217 currency code (`--currency`), as the formatter will use it. */
export function checkCurrency(currency: string | undefined, flag = '--currency'): void {
  if (currency === undefined) return;
  try {
    if (!/^[A-Za-z]{3}$/.test(currency)) throw new RangeError('not three letters');
    new Intl.NumberFormat(LOCALE, { style: 'currency', currency });
  } catch {
    throw new UsageError(
      `${flag}: expected an ISO 4217 currency code such as GBP, EUR or USD, got '${currency}'`,
    );
  }
}

export function numberFormat(currency?: string): NumberFormat {
  const grouped = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
  const money = currency
    ? new Intl.NumberFormat(LOCALE, {
        style: 'currency',
        currency: currency.toUpperCase(),
        maximumFractionDigits: 0,
        minimumFractionDigits: 0,
      })
    : grouped;
  const value = (x: number): string => {
    if (!Number.isFinite(x)) return '–';
    const a = Math.abs(x);
    if (a >= 10_000) return compact(x);
    if (a >= 100) return grouped.format(x);
    if (a === 0) return '0';
    return trimZeros(x.toPrecision(3));
  };
  return {
    count: (n) => (Math.abs(n) < 1000 ? grouped.format(n) : compact(n)),
    share: (x) => {
      if (!Number.isFinite(x)) return '–';
      const p = x * 100;
      return `${p !== 0 && Math.abs(p) < 1 ? trimZeros(p.toPrecision(1)) : Math.round(p)}%`;
    },
    money: (x) => (Number.isFinite(x) ? money.format(x).replace('-', '−') : '–'),
    moneyShort: (x) => {
      if (!Number.isFinite(x)) return '–';
      if (Math.abs(x) < 1000) return money.format(x).replace('-', '−');
      const symbol = currency ? money.format(0).replace(/[\d.,\s]/g, '') : '';
      return `${x < 0 ? '−' : ''}${symbol}${compact(Math.abs(x))}`;
    },
    value: (x) => value(x).replace('-', '−'),
    relative: (x) => {
      if (!Number.isFinite(x)) return '–';
      const p = Math.round(x * 100);
      return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${Math.abs(p)}%`;
    },
  };
}

/** 1.2k, 34k, 1.2M, 3.4B. */
function compact(x: number): string {
  const a = Math.abs(x);
  const [div, unit] = a >= 1e9 ? [1e9, 'B'] : a >= 1e6 ? [1e6, 'M'] : [1e3, 'k'];
  const v = x / div;
  const text = Math.abs(v) >= 100 ? Math.round(v).toString() : trimZeros(v.toPrecision(2));
  return `${text}${unit}`;
}

function trimZeros(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/** Text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
