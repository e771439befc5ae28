/**
 * Stands in for src/lazy/require-module.ts under vitest (vitest.config.ts aliases it): vitest runs
 * src/ from TypeScript through its own loader, where Node's require() finds no .js file, so the
 * facade's modules are imported here, statically, as the tests' own imports of them are (one
 * instance of each). The require() path itself runs in the tests that start the built package in
 * a child process (test/embed-lazy.test.ts).
 */
import * as assignments from '../../src/api/assignments.js';
import * as cut from '../../src/api/cut.js';
import * as describe from '../../src/api/describe.js';
import * as devices from '../../src/api/devices.js';
import * as fit from '../../src/api/fit.js';
import * as fitHistory from '../../src/api/fit-history.js';
import * as fitOutOfCore from '../../src/api/fit-out-of-core.js';
import * as lifecycle from '../../src/api/lifecycle.js';
import * as metrics from '../../src/api/metrics.js';
import * as outputs from '../../src/api/outputs.js';
import * as predict from '../../src/api/predict.js';
import * as predictOutOfCore from '../../src/api/predict-out-of-core.js';
import * as profileSegments from '../../src/api/profile-segments.js';
import * as report from '../../src/api/report.js';
import * as segment from '../../src/api/segment.js';
import * as select from '../../src/api/select.js';
import * as sharded from '../../src/api/sharded.js';
import * as split from '../../src/api/split.js';
import * as transitions from '../../src/api/transitions.js';
import * as bench from '../../src/bench/bench.js';
import * as batchWriter from '../../src/io/batch-writer.js';
import * as readTable from '../../src/io/read-table.js';
import * as writeTable from '../../src/io/write-table.js';
import * as model from '../../src/model/model.js';
import * as personas from '../../src/segment/personas.js';
import * as profile from '../../src/segment/profile.js';
import * as rfm from '../../src/segment/rfm.js';
import * as customers from '../../src/synth/customers.js';

const MODULES: Record<string, unknown> = {
  'api/assignments.js': assignments,
  'api/cut.js': cut,
  'api/describe.js': describe,
  'api/devices.js': devices,
  'api/fit.js': fit,
  'api/fit-history.js': fitHistory,
  'api/fit-out-of-core.js': fitOutOfCore,
  'api/lifecycle.js': lifecycle,
  'api/metrics.js': metrics,
  'api/outputs.js': outputs,
  'api/predict.js': predict,
  'api/predict-out-of-core.js': predictOutOfCore,
  'api/profile-segments.js': profileSegments,
  'api/report.js': report,
  'api/segment.js': segment,
  'api/select.js': select,
  'api/sharded.js': sharded,
  'api/split.js': split,
  'api/transitions.js': transitions,
  'bench/bench.js': bench,
  'io/batch-writer.js': batchWriter,
  'io/read-table.js': readTable,
  'io/write-table.js': writeTable,
  'model/model.js': model,
  'segment/personas.js': personas,
  'segment/profile.js': profile,
  'segment/rfm.js': rfm,
  'synth/customers.js': customers,
};

export function requireModule(path: string): unknown {
  const module = MODULES[path];
  if (module === undefined) throw new Error(`test/helpers/source-modules.ts lacks src/${path}`);
  return module;
}
