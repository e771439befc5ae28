import type { EChartsOption } from 'echarts';
import { heatmapSvg, type Heatmap } from './heatmap-svg.js';
import { fitLabels } from './label-fit.js';
import { FONT } from './style.js';

/**
 * A chart of the report: an ECharts option (rendered to SVG in Node, no DOM) or a heatmap the
 * report draws itself, its title, size, and the data behind it as a table (shown under
 * `<details>`). One function per chart builds one of these from the report's numbers; the page
 * assembles the rendered strings.
 */
export interface Cell {
  /** What a person reads (1.2k, 34%, £5,149). */
  text: string;
  /** The exact value, kept in a data-value attribute for checks and copy-paste. */
  value?: number | string | null;
}

export interface ChartTable {
  head: string[];
  rows: Cell[][];
  /** The panel it belongs to, in the table's `<details>` summary ("Data: monetary"). */
  name?: string;
  /** A stable id for the table (data-table), where a chart holds several. */
  id?: string;
}

/** A chart drawn by ECharts from its option, or a heatmap drawn by the report (heatmap-svg.ts). */
export type ChartSpec = ChartFrame &
  ({ option: EChartsOption; heatmap?: undefined } | { heatmap: Heatmap; option?: undefined });

/** What every chart has, however it is drawn: its place on the page, its title and its data. */
export interface ChartFrame {
  id: string;
  title: string;
  /** A sentence under the title: what is shown, on what data. */
  note?: string;
  width: number;
  height: number;
  /** The chart's numbers; a chart of several panels has one table per panel, each named. */
  table: ChartTable | ChartTable[];
  /** Segments the chart draws a mark for (checked by the browser test), by id. */
  segments?: number[];
  /**
   * SVG drawn under the chart's marks, placed by data coordinates on the chart's value axes: the
   * projection's points as one short path per segment, where ECharts would build and write a
   * symbol per point (most of a report's rendering time and bytes).
   */
  underlay?: (toPixel: (x: number, y: number) => [number, number]) => string;
}

export type EChartsModule = typeof import('echarts');

export const CHART_WIDTH = 760;

/**
 * Renders a chart to an SVG string: with ECharts' server-side renderer (no DOM, no animation), or
 * a heatmap by the report's own (heatmap-svg.ts).
 */
export function renderSvg(echarts: EChartsModule, spec: ChartSpec): string {
  if (spec.heatmap) return heatmapSvg(echarts, spec.heatmap, spec);
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: spec.width,
    height: spec.height,
  });
  try {
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT },
      ...fitLabels(echarts, spec.option),
    });
    const svg = staticSvg(chart);
    const under = spec.underlay?.(linearPixels(chart));
    return tidySvg(under ? svg.replace(/^<svg[^>]*>/, (open) => open + under) : svg, spec.title);
  } finally {
    chart.dispose();
  }
}

type EChartsInstance = ReturnType<EChartsModule['init']>;

/** zrender's SVG painter as far as a report uses it (ECharts' renderToSVGString calls the same). */
interface SvgPainter {
  renderToString(opts: {
    cssEmphasis?: boolean;
    cssAnimation?: boolean;
    useViewBox?: boolean;
  }): string;
}

/**
 * The chart as SVG without the CSS of hover states and animations: renderToSVGString has the
 * painter write a `:hover` rule and a class for every mark (a style object stringified, a colour
 * parsed and lightened per mark: about a tenth of a chart's time), which a static page drops
 * (tidySvg). The painter's own call, with those off, writes the same SVG without them; a painter
 * without it (another ECharts version) gets renderToSVGString.
 */
export function staticSvg(chart: EChartsInstance): string {
  const painter = chart.getZr().painter as Partial<SvgPainter> | undefined;
  if (typeof painter?.renderToString !== 'function') return chart.renderToSVGString();
  return painter.renderToString({ cssEmphasis: false, cssAnimation: false, useViewBox: true });
}

/** Data → pixel on the first grid's value axes (linear: two points fix the map). */
function linearPixels(chart: EChartsInstance): (x: number, y: number) => [number, number] {
  const grid = { xAxisIndex: 0, yAxisIndex: 0 };
  const [x0, y0] = chart.convertToPixel(grid, [0, 0]) as number[];
  const [x1, y1] = chart.convertToPixel(grid, [1, 1]) as number[];
  return (x, y) => [x0 + x * (x1 - x0), y0 + y * (y1 - y0)];
}

/**
 * The SVG as the page embeds it: no hover styles (the page is static), no class names, and a
 * role and label for screen readers.
 */
function tidySvg(svg: string, title: string): string {
  return svg
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/ class="zr\d+-cls-\d+"/g, '')
    .replace(/ pointer-events="visible"/g, '')
    .replace(/^<svg /, `<svg role="img" aria-label="${title.replace(/[<>&"']/g, '')}" `);
}

/** A segment's label on axes and legends: '0 Champions'. */
export function segmentLabel(id: number, name: string | undefined): string {
  return name ? `${id} ${name}` : `Segment ${id}`;
}

/** Axis defaults: names in the middle, out of the way of the tick labels. */
export function valueAxis(
  name: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'value',
    name,
    nameLocation: 'middle',
    nameGap: 42,
    nameTextStyle: { fontSize: 12 },
    axisLabel: { fontSize: 11 },
    ...extra,
  };
}

export function categoryAxis(
  name: string,
  data: string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'category',
    name,
    nameLocation: 'middle',
    nameGap: 30,
    data,
    axisLabel: { fontSize: 11, interval: 0, width: 110, overflow: 'truncate' },
    ...extra,
  };
}

/** containLabel keeps tick labels in; the bottom margin leaves room for the x axis's name. */
export const GRID = { left: 44, right: 24, top: 36, bottom: 34, containLabel: true };
