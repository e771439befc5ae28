import { birchGlobalStep } from '../algo/birch.js';
import { checkWardPoints } from '../algo/birch-global.js';
import { SegmentMeans } from '../algo/birch-means.js';
import { CfTree } from '../algo/cf-tree.js';
import { openBackend } from '../backend/select.js';
import { UsageError } from '../errors.js';
import { openChunkSource } from '../io/batch-reader.js';
import { checkChunkOutputPath } from '../io/batch-writer.js';
import { ProfileAccumulator, profileShifts } from '../segment/profile.js';
import { rejectCategoricalOutOfCore } from './categorical-data.js';
import { namesFromProfiles } from './describe.js';
import { birchModel, birchParameters, birchStats, fewSubclusters } from './birch-fit-setup.js';
import type { OutOfCoreOptions } from './fit-out-of-core.js';
import { samplePreprocessing, type OutOfCoreResult } from './fit-over-passes.js';
import { birchAssigner } from './fit-passes.js';
import { FilePasses } from './file-passes.js';
import { noticeCollector } from './notices.js';
import { OUT_OF_CORE_PARAMETERS, resolveParameters } from './parameters.js';
import { checkDataOptions } from './prepare.js';
import { scanFile } from './scan-file.js';

/**
 * The most leaf subclusters the CF-tree may grow to out of core. The tree is all a BIRCH fit
 * keeps of the rows: each leaf subcluster about 16·d + 150 bytes (cf-tree.ts), so at most about
 * 0.3 GiB for 10 clustering columns. How many there are depends on the threshold against the
 * data's spread, not on the rows; past this a fit stops, asking for a larger threshold.
 */
export const OUT_OF_CORE_SUBCLUSTERS_MAX = 1_000_000;

/**
 * fitOutOfCore with `algorithm: 'birch'`: the in-memory BIRCH fit (fit-birch.ts) over a file read
 * chunk by chunk. The passes:
 * 1. validation, the row count and the sample (scan-file.ts); the preprocessing is fitted on the
 *    sample as for k-means, so with every row in it (at most `sampleRows`) it is the in-memory one;
 * 2. the CF-tree: every prepared row inserted in file order, once — the same insertions as in
 *    memory, so the same tree — then the global step on its leaf subclusters (on the host);
 * 3. every row assigned to its nearest subcluster centroid on the backend, with the segments'
 *    sizes, profiles and means (summed in row order, as in memory);
 * 4. with `output`, every row's segment and distance written chunk by chunk.
 * In memory: one chunk being prepared and one being assigned, the sample, and the tree (at most
 * OUT_OF_CORE_SUBCLUSTERS_MAX leaf subclusters). Same rows in the same order and the same
 * preprocessing: the in-memory fit's model and labels, bit for bit.
 */
export async function fitBirchOutOfCore(
  path: string,
  options: OutOfCoreOptions,
): Promise<OutOfCoreResult> {
  const { notices, notice } = noticeCollector(options.onNotice);
  const { settings, backend: backendChoice } = birchParameters(options);
  const { chunkRows, sampleRows } = resolveParameters(OUT_OF_CORE_PARAMETERS, options);
  const dataOptions = checkDataOptions(options);
  rejectCategoricalOutOfCore('birch', dataOptions.categorical);
  if (options.output !== undefined) checkChunkOutputPath(options.output, { option: 'output' });

  const source = await openChunkSource(path, chunkRows);
  const scanned = await scanFile(source, dataOptions, sampleRows, settings.seed, notice);
  const { roles, rows, sampleTable } = scanned;
  const {
    prep,
    matrix: sample,
    report,
  } = samplePreprocessing(scanned, dataOptions, notice, 'preprocessing and medians');
  const d = prep.outputs.length;
  const allowMissing = dataOptions.impute !== 'none';
  const backend = await openBackend(backendChoice, notice);
  const passes = new FilePasses(source, backend, roles, prep, allowMissing, undefined, notice);
  try {
    const started = performance.now();
    const tree = new CfTree(d, settings.threshold, settings.branchingFactor);
    await passes.hostPass((matrix, _table, firstRow) => {
      tree.insertRows(matrix.data, matrix.rows);
      checkTreeSize(tree, settings.k, settings.global !== 'kmeans', firstRow + matrix.rows - 1);
    });
    const global = birchGlobalStep(tree, settings);
    fewSubclusters(global.subclusters, settings.k, notice);
    const k = global.clusters;
    const assign = birchAssigner(backend, global.subclusterCentres, global.subclusterLabels);

    const profileColumns = [
      ...roles.features.map((name) => ({ name, role: 'feature' as const })),
      ...roles.profile.map((name) => ({ name, role: 'profile' as const })),
    ];
    const shifts = profileShifts(sampleTable, profileColumns);
    const profiles = new ProfileAccumulator(k, profileColumns, shifts);
    const means = new SegmentMeans(k, d);
    // The backend holds one chunk at a time: each chunk's rows join the means before the next
    // chunk's work starts, so the sums run in row order.
    await passes.assignedProfilePass(
      async (handle) => {
        const a = await assign(handle);
        means.add(handle.matrix.data, handle.matrix.rows, a.labels);
        return a;
      },
      { k, columns: profileColumns, shifts },
      (summary) => profiles.mergeSummary(summary),
    );
    const sampleHandle = await backend.attach(sample);
    const sampleLabels = (await assign(sampleHandle)).labels;
    await backend.detach(sampleHandle);
    const profileResult = profiles.finish(sampleTable, sampleLabels);
    const names = namesFromProfiles(profileResult, profileColumns, options);
    if (options.output !== undefined)
      await passes.assignedOutputPass(assign, {
        output: options.output,
        outputs: options.outputs,
        id: roles.id,
        names,
        rows,
      });
    const seconds = (performance.now() - started) / 1000;
    const model = birchModel(
      { prep, id: roles.id, rows, backend, names },
      settings,
      global,
      means.centres(),
    );
    return {
      model,
      profiles: profileResult,
      names,
      sizes: profileResult.segments.map((s) => s.size),
      stats: {
        ...birchStats(
          global,
          settings,
          backend,
          { rows, report, excluded: scanned.excludedColumns },
          seconds,
          notices,
        ),
        outOfCore: {
          passes: passes.passes + scanned.scanPasses,
          chunks: passes.chunksPerPass,
          sampleRows: sample.rows,
          chunkRows,
          spilled: false,
        },
      },
    };
  } finally {
    passes.close();
    await backend.dispose();
  }
}

/**
 * Stops the tree pass as soon as the fit cannot end well: more leaf subclusters than the tree may
 * hold out of core, or (with a Ward global step that will run: more than k) than exact Ward takes.
 * Subclusters only grow in number, so stopping early gives the error the end would give.
 */
function checkTreeSize(tree: CfTree, k: number | undefined, ward: boolean, lastRow: number): void {
  const m = tree.leafSubclusterCount;
  if (ward && k !== undefined && m > k) checkWardPoints(m, lastRow);
  if (m > OUT_OF_CORE_SUBCLUSTERS_MAX)
    throw new UsageError(
      (opt) =>
        `${opt('outOfCore')}: the BIRCH CF-tree grew past ${OUT_OF_CORE_SUBCLUSTERS_MAX} leaf subclusters by row ${lastRow} (its memory grows with them); raise ${opt('threshold')}`,
    );
}
