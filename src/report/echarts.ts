import { renderSvg, type EChartsModule } from './chart.js';
import { warmUpSpecs } from './warm-up.js';

/**
 * ECharts, loaded once per process: its one-file ES module build (the full library, SVG renderer
 * and SSR included; one module instead of the ~2,000 files of the package's index). Imported
 * when a report is rendered or prepared, never by `import 'gpuseg'`.
 */
const ECHARTS_BUNDLE: string = 'echarts/dist/echarts.esm.min';

let loading: Promise<EChartsModule> | undefined;

export function loadECharts(): Promise<EChartsModule> {
  loading ??= import(ECHARTS_BUNDLE) as Promise<EChartsModule>;
  return loading;
}

/** Renders of the warm-up set: enough for V8 to optimise ECharts' busiest functions. */
const WARM_UP_PASSES = 2;

let warming: Promise<void> | undefined;
/** Set when a report starts: a warm-up still running stops at the chart it is on. */
let reportStarted = false;

/**
 * Loads ECharts and renders the report's kinds of chart on made-up data (warm-up.ts), so that a
 * report made afterwards pays for its own charts only. The CLI starts it next to a fit that will
 * be reported (`--report`); it renders one chart per turn of the event loop, so a fit's messages
 * are not held up, and stops as soon as a report starts (chartsForReport). Never fails: a report
 * made later reports any error.
 */
export function prepareCharts(): Promise<void> {
  warming ??= (async () => {
    const echarts = await loadECharts();
    // Twice: the second pass runs the code the first one compiled, and gets it optimised.
    for (let pass = 0; pass < WARM_UP_PASSES; pass++)
      for (const spec of warmUpSpecs()) {
        if (reportStarted) return;
        renderSvg(echarts, spec);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
  })().catch(() => undefined);
  return warming;
}

/** ECharts for a report: waits for a warm-up under way to stop at its current chart. */
export async function chartsForReport(): Promise<EChartsModule> {
  reportStarted = true;
  await warming;
  return loadECharts();
}
