/**
 * Migration tables: customers (and their monetary value) from each previous segment to each
 * current one, with `new` (customers not in the previous period) as an extra origin and `gone`
 * (customers not in this period) as an extra destination. Row shares divide by the origin's total,
 * so each origin's shares sum to 1. Monetary: this period's value for customers still present and
 * new ones, the previous period's for gone ones (0 when no monetary column is given).
 */
export const NEW = 'new';
export const GONE = 'gone';

export interface MigrationRow {
  from: string;
  to: string;
  customers: number;
  rowShare: number;
  monetary: number;
  monetaryShare: number;
}

export function migrationTable(
  prevKeys: Int32Array,
  curKeys: Int32Array,
  prevRow: Int32Array,
  prevMonetary?: ArrayLike<number>,
  curMonetary?: ArrayLike<number>,
): MigrationRow[] {
  // Counts in a dense (from × to) grid over the keys present, by typed-array passes: no per-row
  // strings or maps (10M customers a period). Origin 0 is `new`, destination D−1 is `gone`.
  const prevIds = denseKeys(prevKeys);
  const curIds = denseKeys(curKeys);
  const F = prevIds.keys.length + 1;
  const D = curIds.keys.length + 1;
  const customers = new Float64Array(F * D);
  const money = new Float64Array(F * D);
  const value = (m: ArrayLike<number> | undefined, i: number): number =>
    m && Number.isFinite(m[i]) ? m[i] : 0;
  const present = new Uint8Array(prevKeys.length);
  const from = prevIds.index;
  const to = curIds.index;
  for (let i = 0; i < curKeys.length; i++) {
    const r = prevRow[i];
    let origin = 0;
    if (r >= 0) {
      present[r] = 1;
      origin = from[prevKeys[r]] + 1;
    }
    const cell = origin * D + to[curKeys[i]];
    customers[cell]++;
    money[cell] += value(curMonetary, i);
  }
  for (let r = 0; r < prevKeys.length; r++)
    if (!present[r]) {
      const cell = (from[prevKeys[r]] + 1) * D + D - 1;
      customers[cell]++;
      money[cell] += value(prevMonetary, r);
    }
  return migrationRows(prevIds.keys, curIds.keys, customers, money);
}

/**
 * The table's rows from a dense grid: origin 0 is `new`, then `fromKeys` (ascending); destinations
 * `toKeys` (ascending), then `gone`. Empty cells are left out.
 */
export function migrationRows(
  fromKeys: readonly number[],
  toKeys: readonly number[],
  customers: Float64Array,
  money: Float64Array,
): MigrationRow[] {
  const F = fromKeys.length + 1;
  const D = toKeys.length + 1;
  const rows: MigrationRow[] = [];
  for (let f = 0; f < F; f++) {
    let total = 0;
    let totalMoney = 0;
    for (let t = 0; t < D; t++) {
      total += customers[f * D + t];
      totalMoney += money[f * D + t];
    }
    for (let t = 0; t < D; t++) {
      const n = customers[f * D + t];
      if (n === 0) continue;
      const m = money[f * D + t];
      rows.push({
        from: f === 0 ? NEW : String(fromKeys[f - 1]),
        to: t === D - 1 ? GONE : String(toKeys[t]),
        customers: n,
        monetary: m,
        rowShare: n / total,
        monetaryShare: totalMoney !== 0 ? m / totalMoney : 0,
      });
    }
  }
  return rows;
}

/** The distinct keys, ascending, and each key's index among them (a lookup over 0…max key). */
function denseKeys(keys: Int32Array): { keys: number[]; index: Int32Array } {
  let max = -1;
  for (let i = 0; i < keys.length; i++) if (keys[i] > max) max = keys[i];
  const seen = new Uint8Array(max + 1);
  for (let i = 0; i < keys.length; i++) seen[keys[i]] = 1;
  const distinct: number[] = [];
  const index = new Int32Array(max + 1);
  for (let k = 0; k <= max; k++) if (seen[k]) index[k] = distinct.push(k) - 1;
  return { keys: distinct, index };
}

/** A first period's table: every customer from `new`. */
export function firstMigration(
  curKeys: Int32Array,
  curMonetary?: ArrayLike<number>,
): MigrationRow[] {
  return migrationTable(
    new Int32Array(0),
    curKeys,
    new Int32Array(curKeys.length).fill(-1),
    undefined,
    curMonetary,
  );
}
