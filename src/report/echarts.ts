import type { ChartSpec, EChartsModule } from './chart.js';

/**
 * ECharts, loaded once per thread: its one-file ES module build (the full library, SVG renderer
 * and SSR included; one module instead of the ~2,000 files of the package's index). Imported by
 * the chart workers (chart-worker.ts), never by `import 'gpuseg'`.
 */
const ECHARTS_BUNDLE: string = 'echarts/dist/echarts.esm.min';

let loading: Promise<EChartsModule> | undefined;

export function loadECharts(): Promise<EChartsModule> {
  loading ??= import(ECHARTS_BUNDLE) as Promise<EChartsModule>;
  return loading;
}

/** One tiny chart of each kind the report draws: renders run their code compiled after this. */
export const WARM_UP: ChartSpec[] = (['bar', 'line', 'scatter', 'boxplot', 'heatmap'] as const).map(
  (type) => ({
    id: `warm-${type}`,
    title: type,
    width: 200,
    height: 120,
    option: {
      xAxis: { type: 'category', data: ['a', 'b'] },
      yAxis: { type: type === 'heatmap' ? 'category' : 'value', data: ['a', 'b'] },
      visualMap: type === 'heatmap' ? { show: false, min: 0, max: 1 } : undefined,
      series: [
        {
          type,
          data:
            type === 'boxplot'
              ? [
                  [1, 2, 3, 4, 5],
                  [2, 3, 4, 5, 6],
                ]
              : type === 'heatmap'
                ? [
                    [0, 0, 0.5],
                    [1, 1, 1],
                  ]
                : [1, 2],
        },
      ],
    } as ChartSpec['option'],
    table: { head: [], rows: [] },
  }),
);
