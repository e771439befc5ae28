import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InternalError } from '../errors.js';
import { compiledModule, workerExecArgv } from '../util/compiled-module.js';
import type { ChartWorkerData, RenderReply, RenderRequest } from './chart-worker.js';
import type { ReportData } from './page.js';

/**
 * The threads that render a report's charts (chart-worker.ts). A report's time is ECharts' fixed
 * cost per chart and, in a fresh process, loading and compiling ECharts: the workers share each
 * report's charts over the cores (the fit is over by then), and `prepareChartWorkers`, started
 * next to a fit, loads and warms ECharts in them while it runs, at background priority where the
 * system allows it, off the main thread (whose event loop drives the fit's passes).
 */

/** At most this many workers: two halve a report's charts; more shave little off a ~14-chart page. */
const MAX_CHART_WORKERS = 2;

interface PendingReport {
  figures: string[];
  /** Workers still rendering their share. */
  working: number;
  resolve: (figures: string[]) => void;
  reject: (error: Error) => void;
}

class ChartWorkers {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, PendingReport>();
  private nextId = 1;
  failure: Error | undefined;

  constructor(size: number, background: boolean) {
    for (let w = 0; w < size; w++) {
      const worker = new Worker(compiledModule(import.meta.url, 'chart-worker.js'), {
        name: `gpuseg-charts-${w}`,
        execArgv: workerExecArgv(),
        workerData: { background } satisfies ChartWorkerData,
      });
      worker.on('message', (reply: RenderReply) => this.onReply(reply));
      worker.on('error', (error) =>
        this.fail(
          new InternalError(`chart worker ${w} failed: ${error.message}`, { cause: error }),
        ),
      );
      worker.on('exit', (code) =>
        this.fail(new InternalError(`chart worker ${w} exited (code ${code})`)),
      );
      // Idle workers never hold a process open; one with a report in flight does (render()).
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** The figures of the report's `count` charts, in page order. */
  render(data: ReportData, count: number): Promise<string[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const claimed = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    return new Promise<string[]>((resolve, reject) => {
      this.pending.set(id, {
        figures: new Array<string>(count).fill(''),
        working: this.workers.length,
        resolve,
        reject,
      });
      if (this.pending.size === 1) for (const w of this.workers) w.ref();
      for (const w of this.workers)
        w.postMessage({ id, data, count, claimed } satisfies RenderRequest);
    });
  }

  private onReply(reply: RenderReply): void {
    const report = this.pending.get(reply.id);
    if (!report) return;
    if ('figure' in reply) report.figures[reply.index] = reply.figure;
    else if ('error' in reply) {
      this.settle(reply.id);
      report.reject(new InternalError(`a report chart failed: ${reply.error}`));
    } else if (--report.working === 0) {
      this.settle(reply.id);
      report.resolve(report.figures);
    }
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) for (const w of this.workers) w.unref();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    if (shared === this) shared = undefined;
    for (const [id, report] of this.pending) {
      this.settle(id);
      report.reject(error);
    }
  }

  async close(): Promise<void> {
    this.failure ??= new InternalError('the chart workers were closed');
    if (shared === this) shared = undefined;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

let shared: ChartWorkers | undefined;

function chartWorkers(background: boolean): ChartWorkers {
  shared ??= new ChartWorkers(Math.min(availableParallelism(), MAX_CHART_WORKERS), background);
  return shared;
}

/**
 * Starts the chart workers: each loads ECharts and renders a few tiny charts, at background
 * priority, so that a report made afterwards pays for its own charts only. Started next to a fit
 * that will be reported (prepareReport); a report made before they are ready waits for them.
 */
export function prepareChartWorkers(): void {
  chartWorkers(true);
}

/** The figures of a report's `count` charts (page.ts's marks), rendered by the chart workers. */
export function renderFigures(data: ReportData, count: number): Promise<string[]> {
  return count === 0 ? Promise.resolve([]) : chartWorkers(false).render(data, count);
}

/** Stops the chart workers (idle ones hold no process open, so this is optional). */
export async function closeChartWorkers(): Promise<void> {
  await shared?.close();
}
