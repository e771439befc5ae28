import { Command } from 'commander';
import {
  checkDistinctFiles,
  checkReportPath,
  COMMON_PARAMETERS,
  parameter,
  report,
  writeTextFile,
  type ThousandsSeparator,
} from '../../index.js';
import { addParameterOptions } from '../options.js';
import { printResult } from '../terminal.js';

interface ReportFlags {
  model: string;
  segments: string;
  selection?: string;
  history?: string;
  currency?: string;
  revenue?: string;
  profile?: string[];
  id?: string;
  thousands?: ThousandsSeparator | 'none';
  names?: string;
  personas?: boolean;
  output: string;
}

/** The report flags `fit` and `segment` share with `report`: what the page shows money as. */
export function addReportOptions(command: Command): Command {
  return command
    .option(
      '--currency <code>',
      'report: ISO 4217 code money is shown in (GBP gives £5,149); default plain numbers',
    )
    .option(
      '--revenue <column>',
      'report: the revenue column when there is no monetary column (a feature or --profile column)',
    );
}

export function reportCommand(): Command {
  const command = new Command('report')
    .description(
      'one self-contained HTML page of segment cards and charts (inline SVG, no scripts) from a model, its segments and the clustered table',
    )
    .argument('<input>', 'the table that was clustered (features and profile columns)')
    .requiredOption('--model <file>', 'the model the segments came from (fit/segment --model)')
    .requiredOption(
      '--segments <file>',
      'the segments (fit/segment --output; matched by id column, else by row order)',
    )
    .option('--selection <file>', 'a choice of k to chart: gpuseg select --output FILE.json')
    .option(
      '--history <dir>',
      'a --history store: sizes over time, the last period’s migration and stability figures',
    );
  addReportOptions(command);
  addParameterOptions(command, [
    parameter(COMMON_PARAMETERS, 'profile'),
    parameter(COMMON_PARAMETERS, 'id'),
    parameter(COMMON_PARAMETERS, 'thousands'),
  ]);
  command
    .option(
      '--names <file>',
      'segment names (JSON or CSV), overriding the names in the segments file',
    )
    .option('--no-personas', 'do not name unnamed segments by persona rules')
    .requiredOption('--output <file>', 'the report: .html')
    .action(async (input: string, flags: ReportFlags) => {
      checkReportPath(flags.output, '--output');
      checkDistinctFiles(
        [
          { path: input, flag: 'input' },
          { path: flags.model, flag: '--model' },
          { path: flags.segments, flag: '--segments' },
          { path: flags.selection, flag: '--selection' },
          { path: flags.names, flag: '--names' },
        ],
        [{ path: flags.output, flag: '--output' }],
      );
      const { output, ...options } = flags;
      const html = await report(input, options);
      writeTextFile(output, html);
      printResult(`wrote ${output} (${Math.round(Buffer.byteLength(html) / 1024)} KiB)`);
    });
  return command;
}
