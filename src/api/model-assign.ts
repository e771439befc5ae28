import { descendBisectingTree } from '../algo/bisecting-predict.js';
import type { Assignment, Backend, DatasetHandle } from '../backend/backend.js';
import type { WardModel } from '../model/hierarchy-model.js';
import { modelCentres, type SegmentModel } from '../model/model.js';

/**
 * The segment of every row under a centre-based model, and its squared distance to the segment's
 * centre: k-means the nearest centre; bisecting k-means down its split tree (scikit-learn's
 * predict); Ward the segment of the nearest kept group (a micro-cluster in two-step Ward: rows
 * go where their micro-cluster went; for exact Ward, new rows go with the nearest of the clusters
 * the tree had at `microClusters`, so a training row can land in another segment than the fit gave it).
 */
export async function assignToModel(
  backend: Backend,
  handle: DatasetHandle,
  model: Exclude<SegmentModel, { algorithm: 'gmm' }>,
): Promise<Assignment> {
  if (model.algorithm === 'bisecting') return descendBisectingTree(backend, handle, model.tree);
  if (model.algorithm === 'ward') return assignWard(backend, handle, model);
  return backend.assign(handle, modelCentres(model), model.k);
}

async function assignWard(
  backend: Backend,
  handle: DatasetHandle,
  model: WardModel,
): Promise<Assignment> {
  const groups = model.dendrogram.groups;
  const near = await backend.assign(
    handle,
    Float32Array.from(groups.flatMap((g) => g.centre)),
    groups.length,
  );
  const { rows: n, dims: d, data } = handle.matrix;
  const labels = Int32Array.from(near.labels, (g) => model.groupSegments[g]);
  const centres = modelCentres(model);
  const sqDistances = new Float32Array(n);
  for (let j = 0; j < d; j++)
    for (let i = 0; i < n; i++) {
      const t = data[j * n + i] - centres[labels[i] * d + j];
      sqDistances[i] += t * t;
    }
  return { labels, sqDistances };
}
