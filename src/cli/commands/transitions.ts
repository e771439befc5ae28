import { Command } from 'commander';
import {
  checkOutputPath,
  OutputSet,
  transitions,
  transitionsCsv,
  transitionsText,
  UsageError,
  writeTextFile,
} from '../../index.js';
import { printResult } from '../terminal.js';

interface TransitionsFlags {
  target?: string;
  horizon?: string;
  output?: string;
  jsonOutput?: string;
  json?: boolean;
}

/** `gpuseg transitions DIR`: the Markov chain of published segments over a --history store. */
export function transitionsCommand(): Command {
  return new Command('transitions')
    .description(
      'transition matrix of published segments over a --history store: steady state, periods to a target, projected sizes',
    )
    .argument('<dir>', 'the --history store')
    .option(
      '--target <segment>',
      'a segment name or key: expected periods until customers reach it',
    )
    .option('--horizon <n>', 'periods to project segment sizes for (default: 4)')
    .option('--output <file>', 'the matrix as CSV: from, to, customers, probability')
    .option('--json-output <file>', 'everything as JSON')
    .option('--json', 'print the result as one JSON object on stdout')
    .action((dir: string, flags: TransitionsFlags) => {
      checkOutputPath(flags.output, '--output', false);
      checkOutputPath(flags.jsonOutput, '--json-output', false);
      let horizon: number | undefined;
      if (flags.horizon !== undefined) {
        horizon = Number(flags.horizon);
        if (!/^\d+$/.test(flags.horizon.trim()))
          throw new UsageError(`--horizon: expected an integer ≥ 0, got '${flags.horizon}'`);
      }
      const r = transitions(dir, { target: flags.target, horizon });
      const outputs = new OutputSet({
        '--output': flags.output,
        '--json-output': flags.jsonOutput,
      });
      if (flags.output) writeTextFile(flags.output, transitionsCsv(r), outputs);
      if (flags.jsonOutput)
        writeTextFile(flags.jsonOutput, JSON.stringify(r, null, 2) + '\n', outputs);
      outputs.commit();
      printResult(flags.json ? JSON.stringify(r) : transitionsText(r));
    });
}
