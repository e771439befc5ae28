import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { subjectName, UsageError, type Subject } from '../errors.js';
import { outputFormat } from '../io/format.js';
import {
  checkProfilesArgument,
  profilesCsv,
  profilesJson,
  type Profiles,
} from '../segment/profile.js';
import { checkOutputFolder, writeFileAtomic, type OutputSet } from '../util/atomic-write.js';
import {
  argumentError,
  checkArrayArgument,
  checkObjectArgument,
  checkStringArgument,
} from '../util/arguments.js';

/**
 * Output files, checked before any work is done (so a bad path never costs a fit) and written
 * whole or not at all. `flag` names the option or flag in errors.
 */

/**
 * Checks an output path before any work: (`table`) its extension names a table format, and its
 * folder exists (else a usage error) and takes files (else an environment error).
 */
export function checkOutputPath(path: string | undefined, flag: Subject, table = true): void {
  if (path !== undefined) checkStringArgument(path, 'path');
  if (path === undefined) return;
  if (table) outputFormat(path, flag);
  checkOutputFolder(path, flag);
}

/** Checks a profile output path: .csv (long table) or .json. */
export function checkProfilePath(path: string | undefined, flag: Subject): void {
  if (path !== undefined) checkStringArgument(path, 'path');
  if (path !== undefined && !/\.(csv|json)$/i.test(path))
    throw new UsageError((opt) => `${subjectName(flag, opt)} '${path}': use .csv or .json`);
}

/**
 * Writes profiles as .json or as a long .csv table (one row per segment and column), atomically;
 * `into`: renamed into place with the rest of the set on its commit.
 */
export function writeProfiles(path: string, profiles: Profiles, into?: OutputSet): void {
  checkStringArgument(path, 'path');
  checkProfilesArgument(profiles);
  writeFileAtomic(
    path,
    [
      /\.json$/i.test(path)
        ? JSON.stringify(profilesJson(profiles), null, 2) + '\n'
        : profilesCsv(profiles),
    ],
    into,
  );
}

/** Writes a text file atomically: the whole text or, on failure, nothing. */
export function writeTextFile(path: string, text: string, into?: OutputSet): void {
  checkStringArgument(path, 'path');
  if (typeof text !== 'string') throw argumentError('text', 'a string', text);
  writeFileAtomic(path, [text], into);
}

/** A file a command reads or writes, and the flag (or argument) that named it. */
export interface NamedFile {
  path: string | undefined;
  flag: string;
}

/**
 * Refuses, before any work, an output that is the same file as an input or as another output
 * (which would overwrite the input, or one output with the other). Files are compared by what
 * they are, not how they are written: an existing file by device and inode (links, `./a` and
 * `a`), a new one by its folder's real path and its name.
 */
export function checkDistinctFiles(
  inputs: readonly NamedFile[],
  outputs: readonly NamedFile[],
): void {
  checkArrayArgument(inputs, 'inputs', checkObjectArgument);
  checkArrayArgument(outputs, 'outputs', checkObjectArgument);
  const seen: { key: string; file: NamedFile; output: boolean }[] = [];
  const add = (file: NamedFile, output: boolean): void => {
    if (file.path === undefined) return;
    const key = fileIdentity(file.path);
    const same = seen.find((s) => s.key === key && (output || s.output));
    if (same) {
      const what = same.output
        ? `${same.file.flag} '${same.file.path}'`
        : `the ${same.file.flag} '${same.file.path}'`;
      throw new UsageError(
        `${file.flag} '${file.path}' is the same file as ${what}; ${output && !same.output ? 'it would overwrite the input' : 'one would overwrite the other'}: choose another path`,
      );
    }
    seen.push({ key, file, output });
  };
  for (const file of inputs) add(file, false);
  for (const file of outputs) add(file, true);
}

function fileIdentity(path: string): string {
  try {
    const st = statSync(path);
    return `inode ${st.dev}:${st.ino}`;
  } catch {
    // Not there yet: its folder's real path (the folder is checked to exist elsewhere).
    const folder = dirname(resolve(path));
    let real = folder;
    try {
      real = realpathSync(folder);
    } catch {
      // a missing folder is reported by checkOutputPath
    }
    return `path ${resolve(real, basename(path))}`;
  }
}
