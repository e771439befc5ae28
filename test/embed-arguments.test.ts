import { tableFromArrays } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import * as api from '../src/index.js';
import { GpusegError } from '../src/index.js';

/**
 * Wrong argument types given to every function the package exports (issue 15): each must throw
 * (or reject with) a GpusegError that has a code and a message naming the argument or option at
 * fault, never a raw TypeError or a result computed from garbage. The exports are enumerated at
 * test time, so an export added without a case here fails the last test.
 */
const table = tableFromArrays({ a: Float32Array.of(1, 2, 3, 10), b: Float32Array.of(1, 2, 3, 10) });
const matrix = { rows: 4, dims: 2, features: ['a', 'b'], data: new Float32Array(8) };
const labels = Int32Array.of(0, 0, 1, 1);
const wrong = 5 as never;

/** A call with wrong arguments, and what its message must name. */
type Case = [call: () => unknown, names: RegExp];

const CASES: Record<string, Case[]> = {
  fit: [
    [() => api.fit({ a: [1, 2] } as never, { k: 2 }), /^input must be/],
    [() => api.fit(table, wrong), /^options must be an object/],
    [() => api.fit(table, { k: 'two' } as never), /^k: expected an integer/],
    [() => api.fit(table, { k: 2, maxIter: 0 }), /^maxIter: expected an integer ≥ 1/],
  ],
  fitOutOfCore: [
    [() => api.fitOutOfCore(table as never, { k: 2 }), /^path must be a non-empty string/],
    [() => api.fitOutOfCore('x.arrow', wrong), /^options must be an object/],
  ],
  fitSharded: [
    [() => api.fitSharded(wrong), /^options must be an object/],
    [
      () => api.fitSharded({ redis: 'localhost:6379', shards: 'x-*.arrow', k: 2 }),
      /^redis: expected a URL/,
    ],
    [
      () =>
        api.fitSharded({ redis: 'redis://127.0.0.1:1', shards: 'x-*.arrow', k: 2, runId: 'a b' }),
      /^runId: expected 1-64 letters/,
    ],
  ],
  serveShard: [
    [() => api.serveShard(wrong), /^options must be an object/],
    [
      () => api.serveShard({ redis: 'redis://127.0.0.1:1' }),
      /^name the shard: shard PATH, or shards/,
    ],
    [
      () => api.serveShard({ redis: 'redis://127.0.0.1:1', shard: 'x.arrow', chunkRows: 0 }),
      /^chunkRows: /,
    ],
    [
      () =>
        api.serveShard({
          redis: 'redis://127.0.0.1:1',
          shard: 'x.arrow',
          outOfCore: 'yes' as never,
        }),
      /^outOfCore: expected true or false, got "yes"/,
    ],
  ],
  fitWithHistory: [[() => api.fitWithHistory(table, wrong), /^options must be an object/]],
  predict: [
    [() => api.predict([[1, 2]] as never, 'm.json'), /^input must be/],
    [() => api.predict(table, wrong), /^model must be/],
  ],
  predictOutOfCore: [
    [() => api.predictOutOfCore(wrong, 'm.json'), /^path must be a non-empty string/],
    [() => api.predictOutOfCore('x.arrow', wrong), /^model must be/],
  ],
  selectK: [
    [() => api.selectK(wrong, { k: '2..3' }), /^input must be/],
    [() => api.selectK(table, { k: 7 } as never), /^k: expected a range/],
  ],
  segment: [
    [
      () => api.segment(table as never, { customer: 'c', date: 'd', amount: 'a' }),
      /^transactions must be a file path/,
    ],
    [() => api.segment('t.csv', wrong), /^options must be an object/],
  ],
  rfm: [[() => api.rfm(wrong, wrong), /^transactions must be a file path/]],
  profileSegments: [
    [() => api.profileSegments(wrong, table), /^input must be/],
    [() => api.profileSegments(table, wrong), /^segments must be/],
  ],
  report: [
    [() => api.report(table, wrong), /^options must be an object/],
    [() => api.report(wrong, { model: 'm.json', segments: table }), /^input must be/],
  ],
  cutModel: [
    [() => api.cutModel(wrong, 2), /^model must be/],
    [() => api.cutModel('m.json', 'two' as never), /^k must be an integer/],
  ],
  splitSegment: [
    [() => api.splitSegment(wrong, 'm.json', { segment: 'A', k: 2 }), /^input must be/],
    [() => api.splitSegment(table, wrong, { segment: 'A', k: 2 }), /^model must be/],
    [() => api.splitSegment(table, 'm.json', wrong), /^options must be an object/],
  ],
  fitReport: [[() => api.fitReport(table as never), /^result must be a fit's result/]],
  transitions: [[() => api.transitions(wrong), /^dir must be a non-empty string/]],
  transitionsCsv: [[() => api.transitionsCsv(wrong), /^result must be transitions' result/]],
  transitionsText: [[() => api.transitionsText({} as never), /^result must be transitions'/]],
  silhouetteScores: [
    [() => api.silhouetteScores(table as never, [{ labels, k: 2 }]), /^matrix must be a feature/],
    [() => api.silhouetteScores(matrix, [{ labels: [0, 1] as never, k: 2 }]), /labels must be/],
  ],
  calinskiHarabasz: [
    [() => api.calinskiHarabasz(table as never, labels, 2), /^matrix must be a feature matrix/],
    [() => api.calinskiHarabasz(matrix, Int32Array.of(0, 1), 2), /^labels has 2 labels for 4/],
    [() => api.calinskiHarabasz(matrix, labels, 1), /^k must be an integer ≥ 2/],
  ],
  daviesBouldin: [
    [() => api.daviesBouldin(matrix, Int32Array.of(0, 0, 1, 2), 2), /^labels\[3\] is 2/],
    [() => api.daviesBouldin(matrix, labels, '2' as never), /^k must be an integer/],
  ],
  computeProfiles: [
    [() => api.computeProfiles(wrong, labels, 2, []), /^table must be an apache-arrow Table/],
    [() => api.computeProfiles(table, labels, 2, wrong), /^columns must be an array/],
  ],
  describeSegments: [
    [() => api.describeSegments(table, wrong, labels, 2, {}), /^roles must be an object/],
  ],
  assignmentsTable: [
    [
      () => api.assignmentsTable(table, undefined, wrong, new Float32Array(4)),
      /^labels must be an Int32Array/,
    ],
    [
      // The API scans labels it is given (a fit's own output skips the scan: ownAssignmentsTable).
      () =>
        api.assignmentsTable(table, undefined, new Int32Array([0, -1, 0, 0]), new Float32Array(4)),
      /^labels\[1\] is -1, not a segment/,
    ],
  ],
  personaNames: [[() => api.personaNames(wrong, wrong), /^profiles must be profiles/]],
  profilesCsv: [[() => api.profilesCsv(wrong), /^profiles must be profiles/]],
  profilesJson: [[() => api.profilesJson(table as never), /^profiles must be profiles/]],
  profilesText: [[() => api.profilesText(wrong), /^profiles must be profiles/]],
  writeProfiles: [[() => api.writeProfiles('p.csv', wrong), /^profiles must be profiles/]],
  writeTextFile: [[() => api.writeTextFile(wrong, 'x'), /^path must be a non-empty string/]],
  writeTable: [[() => api.writeTable('t.arrow', wrong), /^table must be an apache-arrow Table/]],
  readTable: [[() => api.readTable(wrong), /^path must be a non-empty string/]],
  loadModel: [[() => api.loadModel(wrong), /^path must be a non-empty string/]],
  saveModel: [[() => api.saveModel('m.json', wrong), /'model' is not a valid gpuseg model/]],
  parseModel: [[() => api.parseModel(wrong), /^text must be a non-empty string/]],
  checkModel: [[() => api.checkModel(table), /'model' is not a valid gpuseg model/]],
  checkOutputPath: [[() => api.checkOutputPath(wrong, 'out'), /^path must be a non-empty/]],
  checkOutputFolder: [[() => api.checkOutputFolder(wrong, 'out'), /^path must be a non-empty/]],
  checkProfilePath: [[() => api.checkProfilePath(wrong, 'out'), /^path must be a non-empty/]],
  checkReportPath: [[() => api.checkReportPath(wrong, 'out'), /^path must be a non-empty/]],
  checkChunkOutputPath: [[() => api.checkChunkOutputPath(wrong, 'o'), /^path must be a non-/]],
  checkDistinctFiles: [[() => api.checkDistinctFiles(wrong, []), /^inputs must be an array/]],
  chooseOutOfCore: [
    [() => api.chooseOutOfCore(wrong, false, 'kmeans', undefined, () => {}), /^input must be/],
  ],
  checkParameter: [[() => api.checkParameter(wrong, 1), /^spec must be a parameter spec/]],
  parameter: [
    [() => api.parameter(wrong, 'k' as never), /^specs must be an array/],
    [() => api.parameter(api.KMEANS_PARAMETERS, 'kk' as never), /^name: no parameter 'kk'/],
  ],
  parseKRange: [[() => api.parseKRange(wrong), /^k: expected a range/]],
  parseCount: [[() => api.parseCount(wrong, '--rows'), /^--rows: expected a positive integer/]],
  runBench: [[() => api.runBench(wrong), /^options must be an object/]],
  benchTable: [[() => api.benchTable(wrong), /^result must be runBench's result/]],
  writeCustomers: [[() => api.writeCustomers(wrong, 10, 0), /^path must be a non-empty/]],
  OutputSet: [[() => new api.OutputSet(wrong), /^outputs must be an object/]],
  oneLine: [[() => api.oneLine(wrong), /^message must be a string/]],
  debugEnabled: [[() => api.debugEnabled(wrong), /^value must be a string/]],
};

/** Exports that take no argument a caller could get wrong, and why. */
const NO_ARGUMENTS: Record<string, string> = {
  dispose: 'takes no arguments',
  closeSharedGpu: 'takes no arguments',
  shutdownCpuWorkers: 'takes no arguments',
  prepareReport: 'takes no arguments',
  listDevices: 'takes no arguments',
  recordWrittenOutputs: 'takes no arguments',
  removePendingTemporaryFiles: 'takes no arguments',
  writtenOutputs: 'takes no arguments',
  asGpusegError: 'turns any value into a GpusegError (checked below)',
  GpusegError: 'an error class',
  UsageError: 'an error class',
  InputError: 'an error class',
  DeviceError: 'an error class',
  EnvironmentError: 'an error class',
  InternalError: 'an error class',
  AbortedError: 'an error class',
};

async function thrown(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('every exported function refuses arguments of the wrong type with a gpuseg error', () => {
  test.each(Object.entries(CASES).flatMap(([name, cases]) => cases.map((c) => [name, ...c])))(
    '%s',
    async (_, call, names) => {
      const error = await thrown(call as () => unknown);
      expect(error, String(error)).toBeInstanceOf(GpusegError);
      const e = error as GpusegError;
      expect(e.code).toMatch(/^GPUSEG_[A-Z_]+$/);
      expect(e.message).toMatch(names as RegExp);
    },
  );
});

test('functions without a case take no arguments, or say why', () => {
  for (const [name, why] of Object.entries(NO_ARGUMENTS)) {
    const value = (api as Record<string, unknown>)[name];
    expect(typeof value, name).toBe('function');
    if (why === 'takes no arguments') expect((value as () => unknown).length, name).toBe(0);
  }
  const converted = api.asGpusegError(new TypeError('x'));
  expect(converted).toBeInstanceOf(GpusegError);
  expect(converted.code).toBe('GPUSEG_INTERNAL');
});

test('every exported function has a case (a new export needs one here)', () => {
  const functions = Object.entries(api)
    .filter(([, value]) => typeof value === 'function')
    .map(([name]) => name)
    .sort();
  const covered = [...Object.keys(CASES), ...Object.keys(NO_ARGUMENTS)].sort();
  expect(functions).toEqual(covered);
});
