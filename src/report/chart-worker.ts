import { parentPort, workerData } from 'node:worker_threads';
import { renderSvg } from './chart.js';
import { loadECharts, WARM_UP } from './echarts.js';
import { warmUpSpecs } from './warm-up.js';
import { renderClaimedFigures, type ReportData } from './page.js';
import { lowerThreadPriority } from './thread-priority.js';

/**
 * A chart worker (chart-workers.ts): loads ECharts and warms it up, then renders its share of
 * each report's charts. Shares are claimed one chart at a time from a counter shared by every
 * worker of the report, so a worker that is ahead takes more.
 */

export interface ChartWorkerData {
  /** Started next to a fit (prepareReport): load and warm up at background priority. */
  background: boolean;
}

export interface RenderRequest {
  id: number;
  data: ReportData;
  /** The report's charts (reportPage's marks). */
  count: number;
  /** Int32 counter of charts claimed so far, shared by the report's workers. */
  claimed: SharedArrayBuffer;
}

export type RenderReply =
  | { id: number; index: number; figure: string }
  | { id: number; done: true }
  | { id: number; error: string };

const port = parentPort!;
const { background } = workerData as ChartWorkerData;
const priority = background ? lowerThreadPriority() : undefined;
const echarts = loadECharts();
/** Set by the first report: a warm-up still under way stops at its current chart. */
let reportArrived = false;

/**
 * Renders of the report's own charts on made-up data (warm-up.ts) at background priority: V8
 * keeps optimising ECharts' code over the first few reports of a thread (its compiler threads
 * busy for ~0.2 s a report), and a worker that has rendered the set this often starts a report
 * near its steady pace. Where the thread cannot lower its priority and come back, a few tiny
 * charts only, so that a warm-up never takes a fit's time at the fit's priority.
 */
const WARM_UP_PASSES = 3;

const warmedUp = (async () => {
  const e = await echarts;
  const charts = priority?.lowered
    ? Array.from({ length: WARM_UP_PASSES }, () => warmUpSpecs()).flat()
    : background
      ? WARM_UP
      : [];
  for (const spec of charts) {
    if (reportArrived) return;
    renderSvg(e, spec);
    // One chart per turn: a report's request is seen between two warm-up charts.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
})().catch(() => undefined);

let queue: Promise<void> = Promise.resolve();

port.on('message', (request: RenderRequest) => {
  reportArrived = true;
  priority?.restore();
  queue = queue.then(() => render(request));
});

async function render(request: RenderRequest): Promise<void> {
  const { id, data, count } = request;
  try {
    await warmedUp;
    const e = await echarts;
    const claimed = new Int32Array(request.claimed);
    // From the last chart back: the page ends with its busiest charts (the projection, the
    // silhouettes), and the small ones left for the end even out the workers' shares.
    const claim = (): number => {
      const n = Atomics.add(claimed, 0, 1);
      return n < count ? count - 1 - n : -1;
    };
    renderClaimedFigures(e, data, claim, (index, figure) =>
      port.postMessage({ id, index, figure } satisfies RenderReply),
    );
    port.postMessage({ id, done: true } satisfies RenderReply);
  } catch (error) {
    port.postMessage({
      id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    } satisfies RenderReply);
  }
}
