import { Command } from 'commander';
import {
  checkDistinctFiles,
  checkOutputPath,
  CUT_PARAMETERS,
  cutModel,
  OutputSet,
  saveModel,
} from '../../index.js';
import { addParameterOptions } from '../options.js';
import { printResult } from '../terminal.js';

interface CutFlags {
  k: number;
  output: string;
  json?: boolean;
}

export function cutCommand(): Command {
  const command = new Command('cut')
    .description(
      'cut a ward or bisecting model at another number of segments, without refitting (writes a new model)',
    )
    .argument('<model>', 'model written by gpuseg fit --algorithm ward|bisecting --model');
  addParameterOptions(command, CUT_PARAMETERS, ['k']);
  command
    .requiredOption('--output <file>', 'the new model (JSON)')
    .option('--json', 'print one JSON object summarising the cut on stdout')
    .action((path: string, flags: CutFlags) => {
      checkOutputPath(flags.output, '--output', false);
      checkDistinctFiles([{ path, flag: 'model' }], [{ path: flags.output, flag: '--output' }]);
      const model = cutModel(path, flags.k);
      const outputs = new OutputSet({ '--output': flags.output });
      saveModel(flags.output, model, outputs);
      outputs.commit();
      const inertia = 'inertia' in model ? model.inertia : undefined;
      printResult(
        flags.json
          ? JSON.stringify({ k: model.k, algorithm: model.algorithm, inertia, model: flags.output })
          : `k=${model.k}  ${model.algorithm}  inertia=${inertia?.toPrecision(8)}\nwrote ${flags.output}`,
      );
    });
  return command;
}
