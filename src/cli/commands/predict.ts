import { Command } from 'commander';
import { COMMON_PARAMETERS, parameter } from '../../api/parameters.js';
import { predict } from '../../api/predict.js';
import type { BackendChoice } from '../../backend/select.js';
import { writeTable } from '../../io/write-table.js';
import { addParameterOptions } from '../options.js';
import { checkOutputPath } from '../paths.js';
import { printNotice, printResult } from '../terminal.js';

export function predictCommand(): Command {
  const command = new Command('predict')
    .description("assign new rows to a saved model's segments")
    .argument('<input>', 'input table')
    .requiredOption('--model <file>', 'model written by gpuseg fit --model')
    .option('--output <file>', 'per-row segments: .arrow, .arrows, .parquet or .csv')
    .option('--probabilities', 'gmm models: output p_0 … p_{k−1}, every segment\'s probability per row');
  addParameterOptions(command, [parameter(COMMON_PARAMETERS, 'backend'), parameter(COMMON_PARAMETERS, 'id')]);
  command.option('--json', 'print one JSON object summarising the run on stdout').action(async (input: string, flags: { model: string; output?: string; backend?: BackendChoice; id?: string; probabilities?: boolean; json?: boolean }) => {
    checkOutputPath(flags.output, '--output');
    const started = performance.now();
    const result = await predict(input, flags.model, { backend: flags.backend, id: flags.id, probabilities: flags.probabilities, onNotice: printNotice });
    if (flags.output) writeTable(flags.output, result.assignments);
    const seconds = (performance.now() - started) / 1000;
    if (flags.json) {
      printResult(JSON.stringify({ rows: result.rows, backend: result.backend, device: result.device, seconds, output: flags.output ?? null }));
    } else {
      printResult(`assigned ${result.rows} rows on ${result.backend} (${result.device})${flags.output ? `; wrote ${flags.output}` : ''}`);
    }
  });
  return command;
}
