import { Command } from 'commander';
import { COMMON_PARAMETERS, OUT_OF_CORE_PARAMETERS, parameter } from '../../api/parameters.js';
import { predictOutOfCore } from '../../api/predict-out-of-core.js';
import { chooseOutOfCore } from '../out-of-core-choice.js';
import { predict } from '../../api/predict.js';
import type { BackendChoice } from '../../backend/select.js';
import { writeTable } from '../../io/write-table.js';
import { addParameterOptions } from '../options.js';
import { checkOutputPath } from '../paths.js';
import { printNotice, printResult } from '../terminal.js';
import { OutputSet } from '../../index.js';

interface PredictFlags {
  model: string;
  output?: string;
  backend?: BackendChoice;
  id?: string;
  thousands?: string;
  probabilities?: boolean;
  json?: boolean;
  outOfCore?: boolean;
  chunkRows?: string;
}

export function predictCommand(): Command {
  const command = new Command('predict')
    .description("assign new rows to a saved model's segments")
    .argument('<input>', 'input table')
    .requiredOption('--model <file>', 'model written by gpuseg fit --model')
    .option('--output <file>', 'per-row segments: .arrow, .arrows, .parquet or .csv')
    .option(
      '--probabilities',
      "gmm models: output p_0 … p_{k−1}, every segment's probability per row",
    );
  addParameterOptions(command, [
    parameter(COMMON_PARAMETERS, 'backend'),
    parameter(COMMON_PARAMETERS, 'id'),
    parameter(COMMON_PARAMETERS, 'thousands'),
  ]);
  command.option(
    '--out-of-core',
    'score a file larger than memory chunk by chunk (Arrow IPC or Parquet; automatic for files over 40% of RAM)',
  );
  addParameterOptions(command, [parameter(OUT_OF_CORE_PARAMETERS, 'chunkRows')]);
  command
    .option('--json', 'print one JSON object summarising the run on stdout')
    .action(async (input: string, flags: PredictFlags) => {
      checkOutputPath(flags.output, '--output');
      const outputs = new OutputSet({ '--output': flags.output });
      const started = performance.now();
      const options = {
        backend: flags.backend,
        id: flags.id,
        thousands: flags.thousands as never,
        probabilities: flags.probabilities,
        onNotice: printNotice,
      };
      let result: { rows: number; backend: string; device: string };
      if (chooseOutOfCore(input, flags.outOfCore === true, undefined, flags.output, printNotice)) {
        result = await predictOutOfCore(input, flags.model, {
          ...options,
          output: flags.output,
          outputs,
          chunkRows:
            flags.chunkRows === undefined ? undefined : (flags.chunkRows as unknown as number),
        });
      } else {
        const r = await predict(input, flags.model, options);
        if (flags.output) writeTable(flags.output, r.assignments, '--output', outputs);
        result = r;
      }
      outputs.commit();
      const seconds = (performance.now() - started) / 1000;
      if (flags.json) {
        printResult(
          JSON.stringify({
            rows: result.rows,
            backend: result.backend,
            device: result.device,
            seconds,
            output: flags.output ?? null,
          }),
        );
      } else {
        printResult(
          `assigned ${result.rows} rows on ${result.backend} (${result.device})${flags.output ? `; wrote ${flags.output}` : ''}`,
        );
      }
    });
  return command;
}
