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
  const cells = new Map<
    string,
    { from: string; to: string; customers: number; monetary: number }
  >();
  const add = (from: string, to: string, value: number): void => {
    const id = `${from}\u0000${to}`;
    const cell = cells.get(id) ?? { from, to, customers: 0, monetary: 0 };
    cell.customers++;
    cell.monetary += Number.isFinite(value) ? value : 0;
    cells.set(id, cell);
  };
  const present = new Uint8Array(prevKeys.length);
  for (let i = 0; i < curKeys.length; i++) {
    const r = prevRow[i];
    if (r >= 0) present[r] = 1;
    add(r >= 0 ? String(prevKeys[r]) : NEW, String(curKeys[i]), curMonetary ? curMonetary[i] : 0);
  }
  for (let r = 0; r < prevKeys.length; r++)
    if (!present[r]) add(String(prevKeys[r]), GONE, prevMonetary ? prevMonetary[r] : 0);
  const order = (s: string): number =>
    s === NEW ? -1 : s === GONE ? Number.MAX_SAFE_INTEGER : Number(s);
  const rows = [...cells.values()].sort(
    (x, y) => order(x.from) - order(y.from) || order(x.to) - order(y.to),
  );
  const totals = new Map<string, { customers: number; monetary: number }>();
  for (const c of rows) {
    const t = totals.get(c.from) ?? { customers: 0, monetary: 0 };
    t.customers += c.customers;
    t.monetary += c.monetary;
    totals.set(c.from, t);
  }
  return rows.map((c) => {
    const t = totals.get(c.from)!;
    return {
      ...c,
      rowShare: c.customers / t.customers,
      monetaryShare: t.monetary !== 0 ? c.monetary / t.monetary : 0,
    };
  });
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
