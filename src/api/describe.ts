import { Utf8, vectorFromArray, type Table, type Vector } from 'apache-arrow';
import type { ColumnRoles } from '../data/schema.js';
import { applyNameOverrides, findRfmColumns, personaNames, readNamesFile } from '../segment/personas.js';
import { computeProfiles, type Profiles } from '../segment/profile.js';

export interface NamingOptions {
  /** Segment names: a names file (JSON or CSV), or explicit names by segment id. */
  names?: string | string[];
  /** Persona names from RFM columns when present (default true). */
  personas?: boolean;
}

/**
 * Profiles of the segments over the features and the profile columns, and their names: personas
 * when the table has gpuseg's RFM columns, overridden by a names file. Names are undefined when
 * neither applies.
 */
export function describeSegments(table: Table, roles: ColumnRoles, labels: Int32Array, k: number, options: NamingOptions): { profiles: Profiles; names: string[] | undefined } {
  const columns = [...roles.features.map((name) => ({ name, role: 'feature' as const })), ...roles.profile.map((name) => ({ name, role: 'profile' as const }))];
  const profiles = computeProfiles(table, labels, k, columns);
  const rfm = options.personas === false ? undefined : findRfmColumns(columns.map((c) => c.name));
  let names = rfm ? personaNames(profiles, rfm) : undefined;
  if (options.names !== undefined) {
    const overrides = typeof options.names === 'string' ? readNamesFile(options.names, k) : new Map(options.names.map((n, i) => [i, n]));
    names = applyNameOverrides(names ?? Array.from({ length: k }, (_, i) => `Segment ${i}`), overrides, typeof options.names === 'string' ? `--names '${options.names}'` : 'names');
  }
  if (names) profiles.segments.forEach((s, i) => (s.name = names![i]));
  return { profiles, names };
}

/** The segment_name column for the output table. */
export function segmentNameColumn(labels: Int32Array, names: readonly string[]): Vector {
  return vectorFromArray(Array.from(labels, (l) => names[l]), new Utf8());
}
