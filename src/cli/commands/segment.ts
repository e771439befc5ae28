import { Command } from 'commander';
import { COMMON_PARAMETERS, PREP_PARAMETERS, parameter } from '../../api/parameters.js';
import { segment } from '../../api/segment.js';
import { writeTable } from '../../io/write-table.js';
import { saveModel } from '../../model/model.js';
import { profilesText } from '../../segment/profile.js';
import { dataOptions, type DataFlags } from '../data-flags.js';
import { addParameterOptions } from '../options.js';
import { checkOutputPath } from '../paths.js';
import { checkProfilePath, writeProfiles } from '../profile-output.js';
import { addRfmOptions, rfmOptions, type RfmFlags } from '../rfm-options.js';
import { printNotice, printResult } from '../terminal.js';
import { OutputSet } from '../../index.js';
import { selectionJson, selectionTable } from './select.js';

interface SegmentFlags extends DataFlags, RfmFlags {
  k?: string;
  seed?: string;
  output: string;
  profileOutput?: string;
  model?: string;
  featuresOutput?: string;
  names?: string;
  personas?: boolean;
  json?: boolean;
}

export function segmentCommand(): Command {
  const command = addRfmOptions(
    new Command('segment')
      .description(
        'transactions to named segments in one command: rfm, preprocessing, choice of k, k-means, profiles, personas',
      )
      .argument('<transactions>', 'transaction log (CSV, Parquet, Arrow)'),
  )
    .option(
      '--k <k>',
      'number of segments, or a range to choose from by silhouette (default: 2..8)',
    )
    .option('--seed <n>', 'random seed (default: 0)');
  addParameterOptions(command, [
    parameter(COMMON_PARAMETERS, 'backend'),
    parameter(COMMON_PARAMETERS, 'features'),
    parameter(COMMON_PARAMETERS, 'profile'),
    ...PREP_PARAMETERS,
  ]);
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
    .option('--json', 'print one JSON object summarising the run on stdout')
    .action(async (input: string, flags: SegmentFlags) => {
      checkOutputPath(flags.output, '--output');
      checkOutputPath(flags.featuresOutput, '--features-output');
      checkOutputPath(flags.model, '--model', false);
      checkOutputPath(flags.profileOutput, '--profile-output', false);
      checkProfilePath(flags.profileOutput, '--profile-output');
      // All outputs or none: folders checked now, files renamed together at the end.
      const outputs = new OutputSet({
        '--output': flags.output,
        '--features-output': flags.featuresOutput,
        '--model': flags.model,
        '--profile-output': flags.profileOutput,
      });
      const data = dataOptions(flags);
      const r = await segment(input, {
        ...data,
        features: flags.features?.split(','),
        log: flags.log?.split(','),
        ...rfmOptions(flags),
        k: flags.k,
        seed: flags.seed === undefined ? undefined : (flags.seed as unknown as number),
        backend: flags.backend,
        names: flags.names,
        personas: flags.personas,
        onNotice: printNotice,
      });
      writeTable(flags.output, r.segments, '--output', outputs);
      if (flags.featuresOutput)
        writeTable(flags.featuresOutput, r.rfm.table, '--features-output', outputs);
      if (flags.model) saveModel(flags.model, r.fit.model, outputs);
      if (flags.profileOutput) writeProfiles(flags.profileOutput, r.fit.profiles, outputs);
      outputs.commit();
      if (flags.json) {
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
            output: flags.output,
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
          `wrote ${[flags.output, flags.profileOutput, flags.model, flags.featuresOutput].filter(Boolean).join(', ')}`,
        ].join('\n'),
      );
    });
  return command;
}
