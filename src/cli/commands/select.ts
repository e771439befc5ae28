import { Command } from 'commander';
import {
  checkDistinctFiles,
  checkOutputPath,
  GMM_PARAMETERS,
  HIERARCHY_PARAMETERS,
  KMEANS_PARAMETERS,
  parameter,
  PREP_PARAMETERS,
  COMMON_PARAMETERS,
  SELECT_PARAMETERS,
  selectK,
  writeTextFile,
  type SelectOptions,
  type SelectResult,
} from '../../index.js';
import { addParameterOptions } from '../options.js';
import { printNotice, printResult } from '../terminal.js';

/** select's flags: the API's options (typed by the parameter table) and the command's outputs. */
interface SelectFlags extends SelectOptions {
  k: string;
  output?: string;
  json?: boolean;
}

/** The JSON form of a selection, with snake_case keys like the other JSON outputs. */
export function selectionJson(r: SelectResult): Record<string, unknown> {
  return {
    rows: r.rows.map((row) => ({
      k: row.k,
      inertia: row.inertia,
      ...(row.bic !== undefined ? { bic: row.bic } : {}),
      silhouette: row.silhouette,
      calinski_harabasz: row.calinskiHarabasz,
      davies_bouldin: row.daviesBouldin,
      iterations: row.iterations,
      sizes: row.sizes,
    })),
    elbow: r.elbow ?? null,
    elbow_method: r.elbowMethod,
    best: {
      silhouette: r.best.silhouette,
      calinski_harabasz: r.best.calinskiHarabasz,
      davies_bouldin: r.best.daviesBouldin,
      ...(r.best.bic !== undefined ? { bic: r.best.bic } : {}),
    },
    recommended: r.recommended,
    silhouette_method: {
      exact: r.silhouetteMethod.exact,
      sample_size: r.silhouetteMethod.sampleSize,
    },
    backend: r.backend,
    device: r.device,
  };
}

/** A fixed-width table; '*' marks the best k of each score, '<- elbow' the elbow. */
export function selectionTable(r: SelectResult): string {
  const gmm = r.best.bic !== undefined;
  const head = [
    'k',
    'inertia',
    ...(gmm ? ['bic'] : []),
    'silhouette',
    'calinski_harabasz',
    'davies_bouldin',
    '',
  ];
  const lines = r.rows.map((row) => [
    String(row.k),
    row.inertia.toPrecision(6),
    ...(gmm ? [row.bic!.toPrecision(7) + (r.best.bic === row.k ? ' *' : '  ')] : []),
    row.silhouette.toFixed(4) + (r.best.silhouette === row.k ? ' *' : '  '),
    row.calinskiHarabasz.toPrecision(6) + (r.best.calinskiHarabasz === row.k ? ' *' : '  '),
    row.daviesBouldin.toFixed(4) + (r.best.daviesBouldin === row.k ? ' *' : '  '),
    r.elbow === row.k ? '<- elbow' : '',
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  const method = r.silhouetteMethod.exact
    ? 'exact'
    : `sampled, ${r.silhouetteMethod.sampleSize} rows`;
  return [
    fmt(head),
    ...lines.map(fmt),
    '',
    `* best: ${gmm ? `BIC k=${r.best.bic} (lowest), ` : ''}silhouette k=${r.best.silhouette}, Calinski-Harabasz k=${r.best.calinskiHarabasz}, Davies-Bouldin k=${r.best.daviesBouldin} (lowest); silhouette ${method}`,
    `elbow: k=${r.elbow ?? 'n/a'} (${r.elbowMethod})`,
    `recommended: k=${r.recommended} (${gmm ? 'lowest BIC' : 'best silhouette'})`,
  ].join('\n');
}

export function selectCommand(): Command {
  const command = new Command('select')
    .description(
      'fit k-means (or a Gaussian mixture, adding BIC) for a range of k and score each fit, to choose k',
    )
    .argument('<input>', 'input table');
  addParameterOptions(
    command,
    [
      parameter(SELECT_PARAMETERS, 'k'),
      parameter(KMEANS_PARAMETERS, 'seed'),
      parameter(SELECT_PARAMETERS, 'nInit'),
      parameter(SELECT_PARAMETERS, 'algorithm'),
      ...GMM_PARAMETERS,
      ...HIERARCHY_PARAMETERS,
    ],
    ['k'],
  );
  addParameterOptions(command, [...COMMON_PARAMETERS, ...PREP_PARAMETERS]);
  command
    .option('--output <file>', 'write the table as JSON')
    .option('--json', 'print the JSON on stdout instead of the table')
    .action(async (input: string, flags: SelectFlags) => {
      checkOutputPath(flags.output, '--output', false);
      checkDistinctFiles(
        [{ path: input, flag: 'input' }],
        [{ path: flags.output, flag: '--output' }],
      );
      const { output, json: printJson, ...options } = flags;
      const result = await selectK(input, { ...options, onNotice: printNotice });
      const json = JSON.stringify(selectionJson(result), null, 2) + '\n';
      if (output) writeTextFile(output, json);
      printResult(printJson ? json : selectionTable(result));
    });
  return command;
}
