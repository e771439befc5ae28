import { Int32, makeVector, type Vector } from 'apache-arrow';
import { InputError } from '../errors.js';
import type { SegmentModel } from '../model/model.js';

/**
 * A --history period's model (a store's model.json) carries the stable key of each of its
 * clusters (tracking.keys). Scoring with it publishes those keys, as the period's own outputs do:
 * `segment_id` is the key, not the cluster's index, so a warehouse joining on segment_id sees the
 * same segment under the same id whether the rows were fitted or predicted.
 */

/** The model's stable keys by cluster index, or undefined for a model without tracking. */
export function modelKeys(model: SegmentModel, source = 'model'): Int32Array | undefined {
  const tracking = (model as { tracking?: { keys?: unknown } }).tracking;
  if (tracking === undefined || tracking === null) return undefined;
  const keys = tracking.keys;
  if (
    !Array.isArray(keys) ||
    keys.length !== model.k ||
    !keys.every((k) => Number.isInteger(k) && (k as number) >= 0 && (k as number) < 2 ** 31) ||
    new Set(keys).size !== keys.length
  )
    throw new InputError(
      `'${source}' is not a valid gpuseg model: tracking.keys must hold k = ${model.k} distinct non-negative integers (one stable key per segment)`,
    );
  return Int32Array.from(keys as number[]);
}

/**
 * The published columns of scored rows: `segmentId`, each row's cluster's key, and the columns a
 * --history output carries beside it, segment_key and raw_segment_key (the same key: predict
 * does not smooth, so published and raw agree), each in its own array (apache-arrow's IPC writer
 * miscounts a batch whose columns share one).
 */
export function keyedColumns(
  labels: Int32Array,
  keys: Int32Array,
): { segmentId: Int32Array; columns: Record<string, Vector> } {
  const segmentId = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) segmentId[i] = keys[labels[i]];
  return {
    segmentId,
    columns: {
      segment_key: makeVector({ type: new Int32(), data: segmentId.slice() }),
      raw_segment_key: makeVector({ type: new Int32(), data: segmentId.slice() }),
    },
  };
}
