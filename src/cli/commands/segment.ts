import { Command } from 'commander';
import {
  checkDistinctFiles,
  checkOutputPath,
  checkProfilePath,
  checkReportPath,
  COMMON_PARAMETERS,
  fitReport,
  prepareReport,
  KMEANS_PARAMETERS,
  OutputSet,
  parameter,
  PREP_PARAMETERS,
  profilesText,
  saveModel,
  segment,
  SEGMENT_PARAMETERS,
  writeProfiles,
  writeTable,
  writeTextFile,
  type ParameterSpec,
  type SegmentOptions,
} from '../../index.js';
import { addParameterOptions } from '../options.js';
import {
  addHistoryOptions,
  historyFromFlags,
  historySummary,
  type HistoryFlags,
} from '../history-flags.js';
import { addRfmOptions } from '../rfm-options.js';
import { printNotice, printResult } from '../terminal.js';
import { addReportOptions } from './report.js';
import { selectionJson, selectionTable } from './select.js';

/** segment's flags: the API's options (typed by the parameter table) and the command's outputs. */
interface SegmentFlags extends Omit<SegmentOptions, 'history'>, HistoryFlags {
  output: string;
  profileOutput?: string;
  model?: string;
  featuresOutput?: string;
  report?: string;
  currency?: string;
  revenue?: string;
  json?: boolean;
}

/**
 * A parameter with segment's own help: its defaults for these differ from fit's (the RFM columns,
 * log of the skewed two), and fit's text would tell a newcomer the opposite of what happens.
 */
function withHelp(spec: ParameterSpec, description: string): ParameterSpec {
  return { ...spec, description };
}

export function segmentCommand(): Command {
  const command = addRfmOptions(
    new Command('segment')
      .description(
        'transactions to named segments in one command: rfm, preprocessing, choice of k, k-means, profiles, personas',
      )
      .argument('<transactions>', 'transaction log (CSV, Parquet, Arrow)'),
  );
  addParameterOptions(command, [
    ...SEGMENT_PARAMETERS,
    parameter(KMEANS_PARAMETERS, 'seed'),
    parameter(COMMON_PARAMETERS, 'backend'),
    withHelp(
      parameter(COMMON_PARAMETERS, 'features'),
      'RFM columns to cluster (default: recency_days,frequency,monetary)',
    ),
    withHelp(
      parameter(COMMON_PARAMETERS, 'profile'),
      'RFM columns brought back in the profiles only (default: the RFM columns not clustered)',
    ),
    ...PREP_PARAMETERS.map((spec) =>
      spec.name === 'log'
        ? withHelp(spec, `${spec.description} (default: frequency,monetary where clustered)`)
        : spec,
    ),
  ]);
  addHistoryOptions(command);
  command
    .requiredOption(
      '--output <file>',
      'per customer: id, segment_id, segment_name, distance and the RFM columns (.arrow, .parquet, .csv)',
    )
    .option('--profile-output <file>', 'segment profiles: .csv or .json')
    .option('--model <file>', 'the model, for predict and next week’s warm start')
    .option('--features-output <file>', 'the RFM feature table')
    .option('--names <file>', 'segment names overriding the personas (JSON or CSV)')
    .option('--no-personas', 'do not name segments by persona rules')
    .option('--report <file>', 'an HTML report of the segments (see gpuseg report)');
  addReportOptions(command)
    .option('--json', 'print one JSON object summarising the run on stdout')
    .action(async (input: string, flags: SegmentFlags) => {
      const { history, rest } = historyFromFlags(flags);
      const { output, profileOutput, model, featuresOutput, json, ...others } = rest;
      const { report, currency, revenue, ...options } = others;
      checkOutputPath(output, '--output');
      checkOutputPath(featuresOutput, '--features-output');
      checkOutputPath(model, '--model', false);
      checkOutputPath(profileOutput, '--profile-output', false);
      checkProfilePath(profileOutput, '--profile-output');
      checkReportPath(report, '--report');
      checkDistinctFiles(
        [
          { path: input, flag: 'input' },
          { path: typeof flags.names === 'string' ? flags.names : undefined, flag: '--names' },
        ],
        [
          { path: output, flag: '--output' },
          { path: featuresOutput, flag: '--features-output' },
          { path: model, flag: '--model' },
          { path: profileOutput, flag: '--profile-output' },
          { path: report, flag: '--report' },
        ],
      );
      // All outputs or none: folders checked now, files renamed together at the end.
      const outputs = new OutputSet({
        '--output': output,
        '--features-output': featuresOutput,
        '--model': model,
        '--profile-output': profileOutput,
        '--report': report,
      });
      // The chart renderer loads while the data is read and fitted (not awaited; never rejects).
      if (report) void prepareReport();
      const r = await segment(input, {
        ...options,
        history,
        onNotice: printNotice,
      });
      writeTable(output, r.segments, '--output', outputs);
      if (featuresOutput) writeTable(featuresOutput, r.rfm.table, '--features-output', outputs);
      if (model) saveModel(model, r.fit.model, outputs);
      if (profileOutput) writeProfiles(profileOutput, r.fit.profiles, outputs);
      if (report) {
        const html = await fitReport(r.fit, {
          source: input.split(/[\\/]/).pop(),
          asOf: r.rfm.asOf,
          selection: r.selection,
          currency,
          revenue,
          history: history?.dir,
        });
        writeTextFile(report, html, outputs);
      }
      outputs.commit();
      if (json) {
        printResult(
          JSON.stringify({
            settings: r.settings,
            k: r.fit.stats.k,
            segments: r.fit.profiles.segments.map((s) => ({
              segment_id: s.segment,
              segment_name: s.name ?? null,
              size: s.size,
              share: s.share,
            })),
            selection: r.selection ? selectionJson(r.selection) : null,
            inertia: r.fit.stats.inertia,
            iterations: r.fit.stats.iterations,
            backend: r.fit.stats.backend,
            device: r.fit.stats.device,
            rows: r.fit.stats.rows,
            seconds: r.fit.stats.seconds,
            converged: r.fit.stats.converged,
            output: output,
            ...(r.history ? { history: r.history.stability } : {}),
          }),
        );
        return;
      }
      const settings = Object.entries(r.settings)
        .map(([key, v]) => `${key}=${Array.isArray(v) ? v.join(',') : v}`)
        .join('  ');
      printResult(
        [
          `settings: ${settings}`,
          ...(r.selection ? ['', selectionTable(r.selection)] : []),
          '',
          profilesText(r.fit.profiles),
          '',
          ...(r.history ? ['', historySummary(r.history)] : []),
          `wrote ${[output, profileOutput, model, featuresOutput, report].filter(Boolean).join(', ')}`,
        ].join('\n'),
      );
    });
  return command;
}
