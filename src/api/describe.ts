import {
  Dictionary,
  Int32,
  makeData,
  makeVector,
  Utf8,
  vectorFromArray,
  type Table,
  type Vector,
} from 'apache-arrow';
import type { ColumnRoles } from '../data/schema.js';
import {
  applyNameOverrides,
  findRfmColumns,
  personaNames,
  readNamesFile,
} from '../segment/personas.js';
import { categoricalProfileColumns } from './categorical-data.js';
import { categoryShares } from '../segment/category-shares.js';
import { computeProfiles, type ProfileColumn, type Profiles } from '../segment/profile.js';
import { checkObjectArgument, checkOptionsArgument } from '../util/arguments.js';

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
export function describeSegments(
  table: Table,
  roles: ColumnRoles,
  labels: Int32Array,
  k: number,
  options: NamingOptions,
): { profiles: Profiles; names: string[] | undefined } {
  checkObjectArgument(roles, 'roles');
  checkOptionsArgument(options);
  const columns = profileColumns(roles);
  const profiles = profilesWithCategories(table, roles, labels, k, columns);
  return { profiles, names: namesFromProfiles(profiles, columns, options) };
}

/** Profiles over the numeric columns, and each categorical column's shares per segment. */
function profilesWithCategories(
  table: Table,
  roles: ColumnRoles,
  labels: Int32Array,
  k: number,
  columns: ProfileColumn[],
  names?: string[],
): Profiles {
  const profiles = computeProfiles(table, labels, k, columns, names);
  const categorical = categoricalProfileColumns(roles);
  if (categorical.length > 0) profiles.categories = categoryShares(table, labels, k, categorical);
  return profiles;
}

/**
 * describeSegments for a caller that may never read the profiles (fit): the names now, the
 * profiles on first call (then kept). Profiles are computed at once only when names come from
 * them (personas from RFM columns); a names file or no names at all needs none.
 */
export function describeSegmentsLazily(
  table: Table,
  roles: ColumnRoles,
  labels: Int32Array,
  k: number,
  options: NamingOptions,
): { profiles: () => Profiles; names: string[] | undefined } {
  const columns = profileColumns(roles);
  const personas = options.personas !== false && findRfmColumns(columns.map((c) => c.name));
  if (personas) {
    const { profiles, names } = describeSegments(table, roles, labels, k, options);
    return { profiles: () => profiles, names };
  }
  const names = namesFromFile(k, options);
  let profiles: Profiles | undefined;
  return {
    names,
    profiles: () => (profiles ??= profilesWithCategories(table, roles, labels, k, columns, names)),
  };
}

function profileColumns(roles: ColumnRoles): ProfileColumn[] {
  return [
    ...roles.features.map((name) => ({ name, role: 'feature' as const })),
    ...roles.profile.map((name) => ({ name, role: 'profile' as const })),
  ];
}

/** Segment names from `options.names` alone (a file or a list); undefined without them. */
function namesFromFile(k: number, options: NamingOptions): string[] | undefined {
  return options.names === undefined ? undefined : withNameOverrides(undefined, k, options.names);
}

/** `names` (default `Segment i`) with the overrides of a names file or list applied. */
function withNameOverrides(
  names: string[] | undefined,
  k: number,
  given: string | string[],
): string[] {
  const overrides =
    typeof given === 'string' ? readNamesFile(given, k) : new Map(given.map((n, i) => [i, n]));
  return applyNameOverrides(
    names ?? Array.from({ length: k }, (_, i) => `Segment ${i}`),
    overrides,
    typeof given === 'string' ? { option: 'names', value: given } : 'names',
  );
}

/** Segment names for finished profiles (and written into them); undefined when nothing names them. */
export function namesFromProfiles(
  profiles: Profiles,
  columns: readonly ProfileColumn[],
  options: NamingOptions,
): string[] | undefined {
  const k = profiles.segments.length;
  const rfm = options.personas === false ? undefined : findRfmColumns(columns.map((c) => c.name));
  let names = rfm ? personaNames(profiles, rfm) : undefined;
  if (options.names !== undefined) names = withNameOverrides(names, k, options.names);
  if (names) profiles.segments.forEach((s, i) => (s.name = names![i]));
  return names;
}

/**
 * The segment_name column for the output table: dictionary-encoded (the K names once, the labels
 * as indices), which costs no per-row strings, reads as a categorical column in pandas and Polars,
 * and lets chunk after chunk share one dictionary. Pass the same `dictionary` for every chunk of one
 * output.
 */
export function segmentNameColumn(
  labels: Int32Array,
  names: readonly string[],
  dictionary: Vector<Utf8> = segmentNameDictionary(names),
): Vector {
  const type = new Dictionary(new Utf8(), new Int32(), SEGMENT_NAME_DICTIONARY_ID);
  // Its own copy of the indices: apache-arrow's IPC writer miscounts a message body when two
  // columns of one batch share an array (segment_id holds `labels` itself).
  return makeVector(
    makeData({ type, length: labels.length, nullCount: 0, data: labels.slice(), dictionary }),
  );
}

/** The names as the dictionary of segment_name columns. */
export function segmentNameDictionary(names: readonly string[]): Vector<Utf8> {
  return vectorFromArray([...names], new Utf8());
}

/** A fixed id, so that the segment_name fields of every chunk compare equal. */
const SEGMENT_NAME_DICTIONARY_ID = 0;
