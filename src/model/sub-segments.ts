/**
 * Micro-segments: a segment of a model re-segmented into k sub-segments ('At Risk' into
 * 'At Risk – High Value' and 'At Risk – Low Value'), kept in the model as a child level so that
 * predict assigns both levels: a row's segment as before, then, within a segment that has a child
 * level, the nearest of its sub-segment centres.
 */
export interface SubSegmentLevel {
  /** The parent segment (0…k−1 of the model). */
  segment: number;
  k: number;
  /** k centres in the model's clustering space (after its preprocessing). */
  centres: number[][];
  /** A name per sub-segment, extending the parent's ('At Risk – High Value'). */
  names: string[];
}

/** Checks a model's `subSegments` against its k and clustering columns `d`. */
export function checkSubSegments(
  value: unknown,
  k: number,
  d: number,
  bad: (what: string) => never,
): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) bad('"subSegments" must be a list of child levels');
  const seen = new Set<number>();
  (value as SubSegmentLevel[]).forEach((level, i) => {
    const ok =
      typeof level === 'object' &&
      level !== null &&
      Number.isInteger(level.segment) &&
      level.segment >= 0 &&
      level.segment < k &&
      !seen.has(level.segment) &&
      Number.isInteger(level.k) &&
      level.k >= 1 &&
      Array.isArray(level.centres) &&
      level.centres.length === level.k &&
      level.centres.every(
        (row) =>
          Array.isArray(row) &&
          row.length === d &&
          row.every((v) => typeof v === 'number' && Number.isFinite(v)),
      ) &&
      Array.isArray(level.names) &&
      level.names.length === level.k &&
      level.names.every((n) => typeof n === 'string');
    if (!ok)
      bad(
        `"subSegments" level ${i} must name one segment in 0..${k - 1} (once) with k centres of ${d} finite numbers and k names`,
      );
    seen.add(level.segment);
  });
}
