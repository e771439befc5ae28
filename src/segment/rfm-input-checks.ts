import { InputError } from '../errors.js';
import { firstLine, quoteIdent, type DuckSession } from '../io/duckdb.js';

/**
 * Checks of a transaction log before the RFM group-by, each an InputError a user can act on:
 * naming the file, the flag, the first bad row and its value, rather than DuckDB's type guess.
 */

async function firstRow(
  session: DuckSession,
  path: string,
  sql: string,
): Promise<Record<string, unknown>> {
  try {
    const rows = (await session.connection.runAndReadAll(sql)).getRowObjectsJS();
    return rows[0] as Record<string, unknown>;
  } catch (error) {
    throw new InputError(`'${path}': ${firstLine(error)}`, { cause: error });
  }
}

/** A log of a header alone (or an empty table) has no transactions to read. */
export async function checkHasRows(session: DuckSession, path: string): Promise<void> {
  const row = await firstRow(
    session,
    path,
    `SELECT count(*) AS n FROM (SELECT 1 FROM ${session.source} LIMIT 1)`,
  );
  if (Number(row.n) === 0) throw new InputError(`'${path}' has no transactions (no data rows)`);
}

/**
 * The error for a money column (`option` names its flag) that is not numeric: for a text column,
 * how many values are no number, the first of them and its data row (1 = the first row after the
 * header), as the date column's error says it.
 */
export async function notNumericError(
  session: DuckSession,
  path: string,
  option: string,
  name: string,
  type: string,
): Promise<InputError> {
  if (/^VARCHAR/.test(type)) {
    const value = `trim(CAST(${quoteIdent(name)} AS VARCHAR))`;
    const bad = await firstRow(
      session,
      path,
      `SELECT count(*) AS n, min(line) AS first_line, arg_min(v, line) AS sample FROM (SELECT ${value} AS v, row_number() OVER () AS line FROM ${session.source}) WHERE v IS NOT NULL AND TRY_CAST(v AS DOUBLE) IS NULL`,
    );
    if (Number(bad.n) > 0)
      return new InputError(
        (opt) =>
          `${opt(option)}: column '${name}' has ${Number(bad.n) === 1 ? 'a value that is not a number' : `${bad.n} values that are not numbers`} (e.g. '${String(bad.sample)}', data row ${bad.first_line}); fix them, or give ${opt('thousands')} if they have thousands separators`,
      );
  }
  return new InputError((opt) => `${opt(option)}: column '${name}' is ${type}, not numeric`);
}
