import type { EChartsOption } from 'echarts';
import { renderSvg, type ChartSpec, type EChartsModule } from './chart.js';
import { warmNumberFormats } from './warm-formats.js';

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

/**
 * One tiny chart of each kind ECharts draws for a report (its heatmaps are the report's own:
 * heatmap-svg.ts): renders run their code compiled after this.
 */
const WARM_UP: ChartSpec[] = (['bar', 'line', 'scatter', 'boxplot'] as const).map((type) => ({
  id: `warm-${type}`,
  title: type,
  width: 200,
  height: 120,
  option: {
    xAxis: { type: 'category', data: ['a', 'b'] },
    yAxis: { type: 'value' },
    series: [
      {
        type,
        data:
          type === 'boxplot'
            ? [
                [1, 2, 3, 4, 5],
                [2, 3, 4, 5, 6],
              ]
            : [1, 2],
      },
    ],
  } as EChartsOption,
  table: { head: [], rows: [] },
}));

let warming: Promise<void> | undefined;

/**
 * Loads ECharts, renders a few tiny charts and uses the report's number formats once, so that a
 * report made afterwards pays for its own charts only. The CLI starts it next to a fit that will
 * be reported (`--report`); a report waits for it if it is still running. Never fails: a report
 * made later reports any error.
 */
export function prepareCharts(): Promise<void> {
  warming ??= loadECharts()
    .then((echarts) => {
      for (const spec of WARM_UP) renderSvg(echarts, spec);
      warmNumberFormats();
    })
    .catch(() => undefined);
  return warming;
}
