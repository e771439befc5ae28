import { Command } from 'commander';
import {
  checkDistinctFiles,
  checkOutputPath,
  OutputSet,
  saveModel,
  splitSegment,
  SPLIT_PARAMETERS,
  writeTable,
} from '../../index.js';
import { addParameterOptions } from '../options.js';
import { printNotice, printResult } from '../terminal.js';

interface SplitFlags {
  model: string;
  segment: string;
  k: number;
  seed?: number;
  backend?: 'auto' | 'gpu' | 'cpu';
  id?: string;
  thousands?: 'none' | ',' | '.' | 'space';
  output?: string;
  modelOutput?: string;
  json?: boolean;
}

export function splitCommand(): Command {
  const command = new Command('split')
    .description(
      "re-segment one segment's customers (micro-segments): adds sub_segment_id and sub_segment_name, and the child level to the model",
    )
    .argument('<input>', 'input table (the customers to assign and split)')
    .requiredOption('--model <file>', 'model written by gpuseg fit --model');
  addParameterOptions(command, SPLIT_PARAMETERS, ['segment', 'k']);
  command
    .option(
      '--output <file>',
      'per-row segments: .arrow, .arrows, .parquet or .csv (id, segment_id, segment_name, sub_segment_id, sub_segment_name, distance)',
    )
    .option(
      '--model-output <file>',
      'where the model with the child level goes (default: --model itself, replaced atomically)',
    )
    .option('--json', 'print one JSON object summarising the split on stdout')
    .action(async (input: string, flags: SplitFlags) => {
      const modelOutput = flags.modelOutput ?? flags.model;
      checkOutputPath(flags.output, '--output');
      checkOutputPath(modelOutput, '--model-output', false);
      checkDistinctFiles(
        [{ path: input, flag: 'input' }],
        [
          { path: flags.output, flag: '--output' },
          { path: modelOutput, flag: '--model-output' },
        ],
      );
      const outputs = new OutputSet({ '--output': flags.output, '--model-output': modelOutput });
      const r = await splitSegment(input, flags.model, {
        segment: flags.segment,
        k: flags.k,
        seed: flags.seed,
        backend: flags.backend,
        id: flags.id,
        thousands: flags.thousands,
        onNotice: printNotice,
      });
      if (flags.output) writeTable(flags.output, r.assignments, '--output', outputs);
      saveModel(modelOutput, r.model, outputs);
      outputs.commit();
      printResult(
        flags.json
          ? JSON.stringify({
              segment: r.level.segment,
              k: r.level.k,
              sub_segment_names: r.level.names,
              sizes: r.sizes,
              ranked_by: r.rankedBy,
              output: flags.output ?? null,
              model: modelOutput,
            })
          : [
              `split segment ${r.level.segment} into ${r.level.k} (names ranked by ${r.rankedBy})`,
              `sub-segments: ${r.level.names.map((n, i) => `${i} ${n}:${r.sizes[i]}`).join('  ')}`,
              ...(flags.output ? [`wrote ${flags.output}`] : []),
              `wrote ${modelOutput}`,
            ].join('\n'),
      );
    });
  return command;
}
