import type { Table } from 'apache-arrow';
import { kprototypesScale, prototypeCentres } from '../algo/kprototypes.js';
import type { DataMatrix } from '../data/matrix.js';
import { modelCentres, type SegmentModel } from '../model/model.js';
import { appendIndicators, appendOneHot, categoryCodes } from '../prep/categorical.js';

/**
 * The space predict assigns rows in, for a nearest-centre model: the preprocessed features, then
 * with categories the model's encoding of them (an unseen category is an InputError). For
 * k-prototypes, the space where its cost is a squared distance (algo/kprototypes.ts), and
 * `sqScale` (γ/2) turns those squared distances back into Huang's cost.
 */
export function scoringSpace(
  table: Table,
  model: SegmentModel,
  numeric: DataMatrix,
): { matrix: DataMatrix; centres: Float32Array; sqScale: number } {
  const encoding = model.categorical;
  if (!encoding) return { matrix: numeric, centres: modelCentres(model), sqScale: 1 };
  const codes = categoryCodes(table, encoding);
  if (model.algorithm !== 'kprototypes')
    return {
      matrix: appendOneHot(numeric, codes, encoding),
      centres: modelCentres(model),
      sqScale: 1,
    };
  const categories = encoding.columns.map((c) => c.categories.length);
  return {
    matrix: appendIndicators(numeric, codes, encoding, () => 1, kprototypesScale(model.gamma)),
    centres: prototypeCentres(
      Float64Array.from(model.centres.flat()),
      Int32Array.from(model.modes.flat()),
      model.k,
      numeric.dims,
      categories,
      model.gamma,
    ),
    sqScale: model.gamma / 2,
  };
}
