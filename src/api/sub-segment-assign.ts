import { Int32, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import type { Backend, DatasetHandle } from '../backend/backend.js';
import { MatrixArena } from '../data/matrix.js';
import { gatherRows } from '../data/row-subset.js';
import type { SubSegmentLevel } from '../model/sub-segments.js';

/**
 * The second level of a model with micro-segments: each row of a segment that has a child level
 * goes to the nearest of that level's centres (one assignment pass on the backend over the
 * segment's rows). OUT per row the sub-segment (−1: its segment has no child level).
 */
export async function assignSubSegments(
  backend: Backend,
  handle: DatasetHandle,
  labels: Int32Array,
  levels: readonly SubSegmentLevel[],
): Promise<Int32Array> {
  const out = new Int32Array(labels.length).fill(-1);
  const arena = new MatrixArena();
  for (const level of levels) {
    const rows: number[] = [];
    labels.forEach((l, i) => l === level.segment && rows.push(i));
    if (rows.length === 0) continue;
    const part = await backend.attach(gatherRows(handle.matrix, Int32Array.from(rows), arena));
    try {
      const a = await backend.assign(part, Float32Array.from(level.centres.flat()), level.k);
      rows.forEach((r, i) => (out[r] = a.labels[i]));
    } finally {
      await backend.detach(part);
    }
  }
  return out;
}

/** The output columns sub_segment_id and sub_segment_name, null outside the split segments. */
export function subSegmentColumns(
  labels: Int32Array,
  sub: Int32Array,
  levels: readonly SubSegmentLevel[],
): Record<string, Vector> {
  const bySegment = new Map(levels.map((l) => [l.segment, l]));
  const ids: (number | null)[] = [];
  const names: (string | null)[] = [];
  for (let i = 0; i < labels.length; i++) {
    const level = sub[i] >= 0 ? bySegment.get(labels[i]) : undefined;
    ids.push(level ? sub[i] : null);
    names.push(level ? level.names[sub[i]] : null);
  }
  return {
    sub_segment_id: vectorFromArray(ids, new Int32()),
    sub_segment_name: vectorFromArray(names, new Utf8()),
  };
}

/** The sub-segment columns of predict's output for a model with child levels. */
export async function subSegmentOutput(
  backend: Backend,
  handle: DatasetHandle,
  labels: Int32Array,
  levels: readonly SubSegmentLevel[],
): Promise<Record<string, Vector>> {
  return subSegmentColumns(
    labels,
    await assignSubSegments(backend, handle, labels, levels),
    levels,
  );
}
