import { UsageError } from '../errors.js';
import { profilesCsv, profilesJson, type Profiles } from '../segment/profile.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { OutputSet } from '../index.js';

/** Checks a profile output path: .csv (long table) or .json. */
export function checkProfilePath(path: string | undefined, flag: string): void {
  if (path !== undefined && !/\.(csv|json)$/i.test(path))
    throw new UsageError(`${flag} '${path}': use .csv or .json`);
}

export function writeProfiles(path: string, profiles: Profiles, into?: OutputSet): void {
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
