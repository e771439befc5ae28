import { Command } from 'commander';
import {
  benchTable,
  checkParameter,
  GMM_PARAMETERS,
  KMEANS_PARAMETERS,
  parameter,
  parseCount,
  runBench,
  UsageError,
} from '../../index.js';
import { printResult } from '../terminal.js';

export function benchCommand(): Command {
  return new Command('bench')
    .description(
      'time one Lloyd (or EM) iteration on synthetic data on every backend, against the memory floor',
    )
    .option('--rows <n>', 'rows (10M, 1e6, 250k work)', '1M')
    .option('--dims <n>', 'features', '16')
    .option('--k <n>', 'clusters', '8')
    .option('--iterations <n>', 'timed iterations after one warm-up', '20')
    .option('--algorithm <name>', 'kmeans (a Lloyd iteration) or gmm (an EM iteration)', 'kmeans')
    .option('--covariance <type>', 'gmm: full, tied, diag or spherical', 'diag')
    .option('--backend <name>', 'all, cpu or gpu', 'all')
    .option('--seed <n>', 'random seed of the data', '0')
    .option(
      '--peak-gbps <x>',
      'bandwidth for the floor, GB/s (default: measured on a GPU, none on the CPU)',
    )
    .option(
      '--sklearn',
      'also time scikit-learn (Debian python3-sklearn) on the same data and initial centres',
    )
    .option('--json', 'print JSON')
    .action(
      async (flags: {
        rows: string;
        dims: string;
        k: string;
        iterations: string;
        algorithm: string;
        covariance: string;
        backend: string;
        seed: string;
        peakGbps?: string;
        sklearn?: boolean;
        json?: boolean;
      }) => {
        if (!['kmeans', 'gmm'].includes(flags.algorithm))
          throw new UsageError(`--algorithm: expected kmeans or gmm, got '${flags.algorithm}'`);
        if (!['all', 'cpu', 'gpu'].includes(flags.backend))
          throw new UsageError(`--backend: expected all, cpu or gpu, got '${flags.backend}'`);
        const peak = flags.peakGbps === undefined ? undefined : Number(flags.peakGbps);
        if (peak !== undefined && !(peak > 0))
          throw new UsageError(`--peak-gbps: expected a positive number, got '${flags.peakGbps}'`);
        const result = await runBench({
          algorithm: flags.algorithm as 'kmeans' | 'gmm',
          // fit's rules for these two (bench's covariance default is its own: diag).
          covariance: checkParameter(parameter(GMM_PARAMETERS, 'covariance'), flags.covariance),
          rows: parseCount(flags.rows, '--rows'),
          dims: parseCount(flags.dims, '--dims'),
          k: parseCount(flags.k, '--k'),
          iterations: parseCount(flags.iterations, '--iterations'),
          seed: checkParameter(parameter(KMEANS_PARAMETERS, 'seed'), flags.seed),
          backends: flags.backend === 'all' ? ['cpu', 'gpu'] : [flags.backend as 'cpu' | 'gpu'],
          peakGbps: peak,
          sklearn: flags.sklearn === true,
        });
        printResult(flags.json ? JSON.stringify(result) : benchTable(result));
      },
    );
}
