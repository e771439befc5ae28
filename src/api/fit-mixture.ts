import { informationCriteria, parameterCount } from '../algo/gmm-math.js';
import { runGmm } from '../algo/gmm.js';
import type { Backend, DatasetHandle } from '../backend/backend.js';
import type { AlgorithmRun, FitOptions } from './fit.js';
import { emptyComponentsNotice } from './notices.js';

/** A Gaussian mixture for fit(): EM on the backend, information criteria, the model's parameters. */
export async function fitMixture(
  backend: Backend,
  handle: DatasetHandle,
  settings: Parameters<typeof runGmm>[2],
  meanVariance: number,
  options: FitOptions,
  notice: (message: string) => void,
): Promise<AlgorithmRun> {
  const r = await runGmm(backend, handle, settings, meanVariance, {
    probabilities: options.probabilities === true,
    onIteration: options.onEmIteration,
  });
  if (r.emptyComponents > 0) notice(emptyComponentsNotice(r.emptyComponents));
  const { bic, aic } = informationCriteria(
    r.logLikelihood,
    handle.rows,
    parameterCount(settings.covariance, settings.k, handle.dims),
  );
  return {
    centres: Float32Array.from(r.params.means),
    labels: r.labels,
    iterations: r.iterations,
    converged: r.converged,
    inertia: undefined,
    distances: undefined,
    probability: r.probability,
    probabilities: r.probabilities,
    seedPotential: undefined,
    repairs: 0,
    emptyComponents: r.emptyComponents,
    history: [],
    emHistory: r.history,
    gmm: {
      covarianceType: settings.covariance,
      regCovar: settings.regCovar,
      weights: Array.from(r.params.weights),
      covariances: Array.from(r.params.covariances),
      logLikelihood: r.logLikelihood,
      bic,
      aic,
    },
  };
}
