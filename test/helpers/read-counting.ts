import type { Table } from 'apache-arrow';

/**
 * Counting what a test's code reads: typed arrays behind a Proxy that counts element reads, for
 * the report's bound on its work (it must not read every row).
 */
export interface Counter {
  reads: number;
}

/**
 * A typed array that counts the elements read through it. A bulk method (forEach, slice, set,
 * iteration …) counts as reading every element; subarray gives a counting view.
 */
export function counting<T extends Int32Array | Float64Array>(target: T, counter: Counter): T {
  return new Proxy(target, {
    get(t, prop) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) {
        counter.reads++;
        return t[Number(prop)];
      }
      if (prop === 'subarray')
        return (begin?: number, end?: number) => counting(t.subarray(begin, end) as T, counter);
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counter.reads += t.length;
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

/** Counts every read of the table's column values (each chunk's values buffer). */
export function countColumnReads(table: Table, counter: Counter): void {
  for (const field of table.schema.fields)
    for (const chunk of table.getChild(field.name)!.data)
      (chunk as { values: Float64Array }).values = counting(chunk.values as Float64Array, counter);
}
