import { cutBisectingTree, leafCentres } from '../algo/bisecting-tree.js';
import { cutDendrogram } from '../algo/ward-dendrogram.js';
import { UsageError } from '../errors.js';
import { checkModelArgument, resolveModel, type SegmentModel } from '../model/model.js';
import { checkIntegerArgument } from '../util/arguments.js';
import { centresToInputUnits } from '../prep/preprocess.js';

/**
 * Re-cuts a hierarchical model at k segments without refitting: a Ward model's dendrogram at any
 * k up to the clusters it keeps (--micro-clusters), a bisecting model's split tree at any k up to
 * its own (the tree after k−1 splits). Labels are numbered as a fit at that k numbers them; the
 * centres and inertia come from the kept clusters' statistics. Segment names and micro-segments
 * do not carry over.
 */
export function cutModel(modelOrPath: SegmentModel | string, k: number): SegmentModel {
  checkModelArgument(modelOrPath);
  checkIntegerArgument(k, 'k', 1);
  const model = resolveModel(modelOrPath);
  if (model.algorithm !== 'ward' && model.algorithm !== 'bisecting')
    throw new UsageError(
      (opt) =>
        `cut: the model is ${model.algorithm}; only ward and bisecting models keep a hierarchy to cut (refit with ${opt('k')} ${k})`,
    );
  const most =
    model.algorithm === 'ward' ? model.dendrogram.groups.length : (model.tree.length + 1) / 2;
  if (!Number.isInteger(k) || k < 1 || k > most)
    throw new UsageError(
      (opt) =>
        `${opt('k')}: expected an integer in 1..${most} (${model.algorithm === 'ward' ? `the clusters the Ward model keeps: refit with a larger ${opt('microClusters')} for more` : "the bisecting model's own k: refit for more"}), got '${k}'`,
    );
  // Names and micro-segments described the old segments.
  const { segmentNames: _names, subSegments: _sub, ...rest } = model;
  void _names;
  void _sub;
  const prep = model.preprocessing;
  const d = model.centres[0].length;
  const rows = (flat: Float32Array): number[][] =>
    Array.from({ length: k }, (_, c) => Array.from(flat.subarray(c * d, (c + 1) * d)));
  const inputUnits = (flat: Float32Array): number[][] =>
    prep ? centresToInputUnits(prep, flat, k) : rows(flat);
  if (model.algorithm === 'ward') {
    const cut = cutDendrogram(model.dendrogram, k);
    const centres = Float32Array.from(cut.centres);
    return {
      ...(rest as typeof model),
      k,
      centres: rows(centres),
      centresInputUnits: inputUnits(centres),
      inertia: cut.inertia,
      groupSegments: Array.from(cut.groupSegment),
    };
  }
  const tree = cutBisectingTree(model.tree, k);
  const centres = leafCentres(tree);
  return {
    ...(rest as typeof model),
    k,
    tree,
    centres: rows(centres),
    centresInputUnits: inputUnits(centres),
    inertia: tree.filter((n) => n.children === null).reduce((s, n) => s + n.sse, 0),
  };
}
