import { Command } from 'commander';
import {
  checkDistinctFiles,
  checkOutputPath,
  checkProfilePath,
  checkReportPath,
  chooseOutOfCore,
  BIRCH_PARAMETERS,
  COMMON_PARAMETERS,
  DBSCAN_PARAMETERS,
  fit,
  fitOutOfCore,
  fitSharded,
  fitWithHistory,
  fitReport,
  prepareReport,
  GMM_PARAMETERS,
  HIERARCHY_PARAMETERS,
  KMEANS_PARAMETERS,
  KPROTOTYPES_PARAMETERS,
  OUT_OF_CORE_PARAMETERS,
  OutputSet,
  PREP_PARAMETERS,
  saveModel,
  UsageError,
  writeProfiles,
  writeTable,
  writeTextFile,
  type FitOptions,
  type FitStats,
  type HistoryResult,
  type OutOfCoreOptions,
  type OutOfCoreResult,
  type Profiles,
  type SegmentModel,
} from '../../index.js';
import {
  addHistoryOptions,
  historyFromFlags,
  historySummary,
  type HistoryFlags,
} from '../history-flags.js';
import { addParameterOptions } from '../options.js';
import { addShardedOptions, shardedFromFlags, type ShardedFlags } from '../sharded-flags.js';
import { addReportOptions } from './report.js';
import { printNotice, printResult, progressReporter } from '../terminal.js';

/** fit's flags: the API's options (typed by the parameter table) and the command's outputs. */
interface FitFlags extends Omit<OutOfCoreOptions, 'spill'>, HistoryFlags, ShardedFlags {
  asOf?: string;
  model?: string;
  profileOutput?: string;
  report?: string;
  currency?: string;
  revenue?: string;
  json?: boolean;
  outOfCore?: boolean;
  /** false with --no-spill. */
  spill: boolean;
  spillDir?: string;
}

/** What the command prints and writes, from either fit. */
interface FitSummary {
  model: SegmentModel;
  stats: FitStats;
  /** Read only when an output needs them: an in-memory fit computes them on first read. */
  profiles: () => Profiles;
  names: string[] | undefined;
  sizes: number[];
  outOfCore: OutOfCoreResult['stats']['outOfCore'] | undefined;
  /** A sharded fit's run: its id, passes replayed from the checkpoint, the output manifest. */
  sharded?: { runId: string; replayedPasses: number; manifest: string | undefined };
}

export function fitCommand(): Command {
  const command = new Command('fit')
    .description(
      'fit k-means, Gaussian-mixture, bisecting k-means or Ward segments to a table (Arrow IPC file/stream, Parquet or CSV)',
    )
    .argument('[input]', 'input table (none with --shards)');
  // --k is checked by fit (every algorithm but dbscan needs it), not by commander.
  addParameterOptions(command, KMEANS_PARAMETERS);
  addParameterOptions(command, GMM_PARAMETERS);
  addParameterOptions(command, KPROTOTYPES_PARAMETERS);
  addParameterOptions(command, HIERARCHY_PARAMETERS);
  addParameterOptions(command, DBSCAN_PARAMETERS);
  addParameterOptions(command, BIRCH_PARAMETERS);
  command.option(
    '--probabilities',
    "gmm: output p_0 … p_{k−1}, every segment's probability per row",
  );
  addParameterOptions(command, COMMON_PARAMETERS);
  addParameterOptions(command, PREP_PARAMETERS);
  command.option(
    '--out-of-core',
    'k-means, gmm or birch on a file larger than memory: Arrow IPC or Parquet read chunk by chunk on every pass (automatic for files over 40% of RAM)',
  );
  addParameterOptions(command, OUT_OF_CORE_PARAMETERS);
  command
    .option(
      '--spill-dir <dir>',
      'out-of-core: folder for the prepared float32 chunks the Lloyd passes read back (N·D·4 bytes, removed at the end; default: the temporary folder)',
    )
    .option('--no-spill', 'out-of-core: read and convert the input on every pass instead');
  addShardedOptions(command);
  addHistoryOptions(command, false).option(
    '--as-of <date>',
    'with --history: the period this feature table describes (YYYY-MM-DD)',
  );
  command
    .option(
      '--output <file>',
      'per-row segments: .arrow, .arrows, .parquet or .csv (id, segment_id, distance)',
    )
    .option('--model <file>', 'write the model (JSON) for predict and warm starts')
    .option(
      '--profile-output <file>',
      'segment profiles: .csv (one row per segment and column) or .json',
    )
    .option(
      '--names <file>',
      'segment names: JSON ["VIP", ...] or {"0": "VIP"}, or CSV segment_id,segment_name',
    )
    .option(
      '--no-personas',
      'do not name segments from RFM columns (recency_days, frequency, monetary)',
    )
    .option('--report <file>', 'an HTML report of the segments (see gpuseg report)');
  addReportOptions(command)
    .option('--json', 'print one JSON object summarising the run on stdout')
    .action(async (inputArgument: string | undefined, flags: FitFlags) => {
      const { redis, shards, runId, workerTimeout, ...fitFlags } = flags;
      const sharded = shardedFromFlags(inputArgument, { redis, shards, runId, workerTimeout });
      const input = inputArgument ?? '';
      const { history, rest } = historyFromFlags(fitFlags);
      const { model, profileOutput, json, outOfCore, spill, spillDir, ...others } = rest;
      const { report, currency, revenue, ...parameters } = others;
      const { chunkRows, sampleRows, output, asOf, ...fitParameters } = parameters;
      if (asOf !== undefined && !history) throw new UsageError('--as-of needs --history DIR');
      if (history && outOfCore)
        throw new UsageError(
          '--history does not work with --out-of-core: tracking matches and smooths every customer in memory; drop --out-of-core',
        );
      if (sharded && (history || outOfCore || report))
        throw new UsageError('--redis/--shards: drop --history, --out-of-core and --report');
      // A sharded fit's --output is the prefix of its shards' files (checked by fitSharded).
      if (!sharded) checkOutputPath(output, '--output');
      checkOutputPath(model, '--model', false);
      checkOutputPath(profileOutput, '--profile-output', false);
      checkProfilePath(profileOutput, '--profile-output');
      checkReportPath(report, '--report');
      checkDistinctFiles(
        [
          { path: inputArgument, flag: 'input' },
          { path: typeof flags.init === 'string' ? flags.init : undefined, flag: '--init' },
          { path: typeof flags.names === 'string' ? flags.names : undefined, flag: '--names' },
        ],
        [
          { path: output, flag: '--output' },
          { path: model, flag: '--model' },
          { path: profileOutput, flag: '--profile-output' },
          { path: report, flag: '--report' },
        ],
      );
      // All outputs or none: folders checked now, files renamed together at the end.
      const outputs = new OutputSet({
        '--output': output,
        '--model': model,
        '--profile-output': profileOutput,
        '--report': report,
      });
      const progress = progressReporter(!json);
      const options: FitOptions = {
        ...fitParameters,
        onIteration: progress.onIteration,
        onEmIteration: progress.onEmIteration,
        onNotice: printNotice,
      };
      let result: FitSummary;
      let tracked: HistoryResult | undefined;
      // The chart renderer loads while the data is read and fitted (not awaited; never rejects).
      if (report) void prepareReport();
      if (history) {
        const r = await fitWithHistory(input, { ...options, asOf: asOf ?? '', history }).finally(
          progress.done,
        );
        if (output) writeTable(output, r.assignments, '--output', outputs);
        if (report) {
          const source = input.split(/[\\/]/).pop();
          writeTextFile(
            report,
            await fitReport(r, { source, currency, revenue, asOf, history: history.dir }),
            outputs,
          );
        }
        result = { ...r, profiles: () => r.profiles, outOfCore: undefined };
        tracked = r.history;
      } else if (sharded) {
        const r = await fitSharded({ ...options, ...sharded, output, sampleRows }).finally(
          progress.done,
        );
        result = {
          ...r,
          profiles: () => r.profiles,
          outOfCore: r.stats.outOfCore,
          sharded: { runId: r.runId, replayedPasses: r.replayedPasses, manifest: r.manifest },
        };
      } else if (
        chooseOutOfCore(input, outOfCore === true, options.algorithm, output, printNotice)
      ) {
        if (report)
          throw new UsageError(
            '--report: not available for an out-of-core fit yet (it needs the labels in memory); fit in memory, or run gpuseg report on the outputs',
          );
        const r = await fitOutOfCore(input, {
          ...options,
          output,
          outputs,
          chunkRows,
          sampleRows,
          spill: spill === false ? false : (spillDir ?? true),
        }).finally(progress.done);
        result = { ...r, profiles: () => r.profiles, outOfCore: r.stats.outOfCore };
      } else {
        const r = await fit(input, options).finally(progress.done);
        if (output) writeTable(output, r.assignments, '--output', outputs);
        if (report) {
          const source = input.split(/[\\/]/).pop();
          writeTextFile(report, await fitReport(r, { source, currency, revenue }), outputs);
        }
        result = {
          model: r.model,
          stats: r.stats,
          profiles: () => r.profiles,
          names: r.names,
          sizes: r.sizes,
          outOfCore: undefined,
        };
      }
      if (model) saveModel(model, result.model, outputs);
      if (profileOutput) writeProfiles(profileOutput, result.profiles(), outputs);
      outputs.commit();
      const s = result.stats;
      const covariance = result.model.algorithm === 'gmm' ? result.model.covarianceType : undefined;
      if (json) {
        printResult(
          JSON.stringify({
            k: s.k,
            algorithm: s.algorithm,
            iterations: s.iterations,
            inertia: s.inertia ?? null,
            ...(s.birch ? { threshold: s.birch.threshold, subclusters: s.birch.subclusters } : {}),
            ...(s.dbscan
              ? {
                  eps: s.dbscan.eps,
                  min_samples: s.dbscan.minSamples,
                  noise: s.dbscan.noise,
                  core_rows: s.dbscan.corePoints,
                }
              : {}),
            ...(s.algorithm === 'gmm'
              ? {
                  log_likelihood: s.logLikelihood,
                  bic: s.bic,
                  aic: s.aic,
                  covariance,
                  empty_components: s.emptyComponents,
                }
              : {}),
            ...(result.model.algorithm === 'kprototypes'
              ? { gamma: result.model.gamma, cost: result.model.cost }
              : {}),
            categorical: result.model.categorical?.columns.map((c) => c.name) ?? [],
            backend: s.backend,
            device: s.device,
            rows: s.rows,
            seconds: s.seconds,
            converged: s.converged,
            features: result.model.features,
            seed: result.model.seed,
            n_init: result.model.nInit,
            empty_cluster_repairs: s.emptyClusterRepairs,
            fell_back: s.fellBack,
            scale: result.model.preprocessing?.scale.kind ?? 'none',
            clustering_columns: result.model.preprocessing?.outputs ?? result.model.features,
            correlated_features: s.preprocessing.correlated,
            excluded_columns: s.excludedColumns,
            segment_names: result.names ?? null,
            output: output ?? null,
            model: model ?? null,
            profile_output: profileOutput ?? null,
            ...(result.outOfCore
              ? {
                  out_of_core: {
                    passes: result.outOfCore.passes,
                    chunks_per_pass: result.outOfCore.chunks,
                    chunk_rows: result.outOfCore.chunkRows,
                    sample_rows: result.outOfCore.sampleRows,
                    spilled: result.outOfCore.spilled,
                  },
                }
              : {}),
            ...(tracked ? { history: tracked.stability } : {}),
            ...(result.sharded
              ? {
                  sharded: {
                    run_id: result.sharded.runId,
                    replayed_passes: result.sharded.replayedPasses,
                    manifest: result.sharded.manifest ?? null,
                  },
                }
              : {}),
          }),
        );
        return;
      }
      const sizes = result.sizes;
      printResult(
        [
          `k=${s.k}  rows=${s.rows}  features=${result.model.features.join(',')}`,
          s.birch
            ? `birch  threshold=${s.birch.threshold}  branching_factor=${s.birch.branchingFactor}  subclusters=${s.birch.subclusters}`
            : s.dbscan
              ? `dbscan  eps=${s.dbscan.eps.toPrecision(6)}  min_samples=${s.dbscan.minSamples}  core rows=${s.dbscan.corePoints}  unusual (segment -1): ${s.dbscan.noise}`
              : s.algorithm === 'gmm'
                ? `gmm (${covariance})  iterations=${s.iterations}  converged=${s.converged}  log_likelihood=${s.logLikelihood!.toPrecision(8)}  bic=${s.bic!.toPrecision(8)}`
                : result.model.algorithm === 'kprototypes'
                  ? `kprototypes (gamma=${Number(result.model.gamma.toPrecision(4))})  iterations=${s.iterations}  converged=${s.converged}  cost=${s.inertia!.toPrecision(8)}`
                  : `iterations=${s.iterations}  converged=${s.converged}  inertia=${s.inertia!.toPrecision(8)}`,
          `backend=${s.backend} (${s.device})  fit ${s.seconds.toFixed(3)} s`,
          `segment sizes: ${sizes.map((n, c) => `${c}${result.names ? ` ${result.names[c]}` : ''}:${n}`).join('  ')}`,
          ...(result.sharded?.manifest
            ? [`wrote ${result.sharded.manifest} (run ${result.sharded.runId})`]
            : output
              ? [`wrote ${output}`]
              : []),
          ...(model ? [`wrote ${model}`] : []),
          ...(profileOutput ? [`wrote ${profileOutput}`] : []),
          ...(report ? [`wrote ${report}`] : []),
          ...(tracked ? [historySummary(tracked)] : []),
        ].join('\n'),
      );
    });
  return command;
}
