import { Command } from 'commander';
import {
  checkDistinctFiles,
  checkOutputPath,
  chooseOutOfCore,
  OUT_OF_CORE_PARAMETERS,
  parameter,
  predict,
  PREDICT_PARAMETERS,
  predictOutOfCore,
  OutputSet,
  writeTable,
  type PredictOutOfCoreOptions,
} from '../../index.js';
import { addParameterOptions } from '../options.js';
import { printNotice, printResult } from '../terminal.js';

/** predict's flags: the API's options (typed by the parameter table) and the command's own. */
interface PredictFlags extends PredictOutOfCoreOptions {
  model: string;
  json?: boolean;
  outOfCore?: boolean;
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
  addParameterOptions(command, PREDICT_PARAMETERS);
  command.option(
    '--out-of-core',
    'score a file larger than memory chunk by chunk (Arrow IPC or Parquet; automatic for files over 40% of RAM)',
  );
  addParameterOptions(command, [parameter(OUT_OF_CORE_PARAMETERS, 'chunkRows')]);
  command
    .option('--json', 'print one JSON object summarising the run on stdout')
    .action(async (input: string, flags: PredictFlags) => {
      checkOutputPath(flags.output, '--output');
      checkDistinctFiles(
        [
          { path: input, flag: 'input' },
          { path: flags.model, flag: '--model' },
        ],
        [{ path: flags.output, flag: '--output' }],
      );
      const outputs = new OutputSet({ '--output': flags.output });
      const started = performance.now();
      const { model, json, outOfCore, output, chunkRows, ...parameters } = flags;
      const options = { ...parameters, onNotice: printNotice };
      let result: { rows: number; backend: string; device: string };
      if (chooseOutOfCore(input, outOfCore === true, undefined, output, printNotice)) {
        result = await predictOutOfCore(input, model, {
          ...options,
          output,
          outputs,
          chunkRows,
        });
      } else {
        const r = await predict(input, model, options);
        if (output) writeTable(output, r.assignments, '--output', outputs);
        result = r;
      }
      outputs.commit();
      const seconds = (performance.now() - started) / 1000;
      if (json) {
        printResult(
          JSON.stringify({
            rows: result.rows,
            backend: result.backend,
            device: result.device,
            seconds,
            output: output ?? null,
          }),
        );
      } else {
        printResult(
          `assigned ${result.rows} rows on ${result.backend} (${result.device})${output ? `; wrote ${output}` : ''}`,
        );
      }
    });
  return command;
}
