import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { outputFormat } from '../io/format.js';

/** Checks an output path before any work is done, so a bad flag never costs a fit. */
export function checkOutputPath(path: string | undefined, flag: string, table = true): void {
  if (path === undefined) return;
  if (table) outputFormat(path, flag);
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new UsageError(`${flag} '${path}': folder '${folder}' does not exist`);
}
