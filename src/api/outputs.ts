import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { outputFormat } from '../io/format.js';
import { profilesCsv, profilesJson, type Profiles } from '../segment/profile.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/**
 * Output files, checked before any work is done (so a bad path never costs a fit) and written
 * whole or not at all. `flag` names the option or flag in errors.
 */

/** Checks an output path: its folder exists and (`table`) its extension names a table format. */
export function checkOutputPath(path: string | undefined, flag: string, table = true): void {
  if (path === undefined) return;
  if (table) outputFormat(path, flag);
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new UsageError(`${flag} '${path}': folder '${folder}' does not exist`);
}

/** Checks a profile output path: .csv (long table) or .json. */
export function checkProfilePath(path: string | undefined, flag: string): void {
  if (path !== undefined && !/\.(csv|json)$/i.test(path))
    throw new UsageError(`${flag} '${path}': use .csv or .json`);
}

/** Writes profiles as .json or as a long .csv table (one row per segment and column), atomically. */
export function writeProfiles(path: string, profiles: Profiles): void {
  writeFileAtomic(path, [
    /\.json$/i.test(path)
      ? JSON.stringify(profilesJson(profiles), null, 2) + '\n'
      : profilesCsv(profiles),
  ]);
}

/** Writes a text file atomically: the whole text or, on failure, nothing. */
export function writeTextFile(path: string, text: string): void {
  writeFileAtomic(path, [text]);
}
