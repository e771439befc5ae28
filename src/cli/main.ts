import { Command, CommanderError } from 'commander';
import {
  asGpusegError,
  debugEnabled,
  GPUSEG_VERSION,
  oneLine,
  removePendingTemporaryFiles,
  recordWrittenOutputs,
  writtenOutputs,
  UsageError,
} from '../index.js';
import { devicesCommand } from './commands/devices.js';
import { fitCommand } from './commands/fit.js';
import { cutCommand } from './commands/cut.js';
import { splitCommand } from './commands/split.js';
import { predictCommand } from './commands/predict.js';
import { rfmCommand } from './commands/rfm.js';
import { selectCommand } from './commands/select.js';
import { segmentCommand } from './commands/segment.js';
import { profileCommand } from './commands/profile.js';
import { reportCommand } from './commands/report.js';
import { generateCommand } from './commands/generate.js';
import { benchCommand } from './commands/bench.js';
import { transitionsCommand } from './commands/transitions.js';
import { workerCommand } from './commands/worker.js';

/** Commander's own errors (unknown option, missing value, ...) as ours: one line, 'gpuseg: error: …'. */
const COMMANDER_OUTPUT = {
  outputError: (message: string, write: (text: string) => void): void =>
    write(`gpuseg: ${message.trim().replace(/\s*\n\s*/g, ' ')}\n`),
};

export function buildProgram(): Command {
  const program = new Command('gpuseg')
    .description(
      'customer segmentation on the GPU: RFM, k-means, profiles and personas over Arrow, Parquet and CSV tables',
    )
    .version(GPUSEG_VERSION)
    .showHelpAfterError(false)
    .exitOverride();
  for (const command of [
    segmentCommand(),
    rfmCommand(),
    selectCommand(),
    fitCommand(),
    cutCommand(),
    splitCommand(),
    predictCommand(),
    profileCommand(),
    reportCommand(),
    generateCommand(),
    benchCommand(),
    devicesCommand(),
    transitionsCommand(),
    workerCommand(),
  ])
    program.addCommand(plainDefaults(command).exitOverride().configureOutput(COMMANDER_OUTPUT));
  return program.configureOutput(COMMANDER_OUTPUT);
}

/** Help shows a text default as the flag takes it (`default: 1M`), not quoted as JSON. */
function plainDefaults(command: Command): Command {
  for (const option of command.options)
    if (typeof option.defaultValue === 'string' && option.defaultValueDescription === undefined)
      option.defaultValueDescription = option.defaultValue;
  return command;
}

/**
 * Runs the CLI; returns the exit status (the only place that decides one): usage 2, input data 3,
 * device 4, environment 5, internal 1. Errors print as one line on stderr.
 */
export async function main(argv: readonly string[]): Promise<number> {
  recordWrittenOutputs();
  const onSignal = (signal: NodeJS.Signals): void => {
    removePendingTemporaryFiles();
    // Outputs are committed together at the end of a run: either none is in place or all are.
    const done = writtenOutputs();
    const outputs =
      done.length === 0 ? 'no output was written' : `already written: ${done.join(', ')}`;
    process.stderr.write(`gpuseg: interrupted (${signal}); ${outputs}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end this way too, with status 0.
      if (error.exitCode === 0) return 0;
      return new UsageError(error.message).exitCode;
    }
    const e = asGpusegError(error);
    // Messages name options as the API does; a CLI user knows them as flags.
    process.stderr.write(`gpuseg: error: ${oneLine(e.messageFor('flag'))}\n`);
    if (debugEnabled()) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    return e.exitCode;
  } finally {
    removePendingTemporaryFiles();
  }
}
