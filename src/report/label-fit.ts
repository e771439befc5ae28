import type { EChartsOption } from 'echarts';
import type { EChartsModule } from './chart.js';

/**
 * Labels cut to their width ('…' at the end) by the report instead of by ECharts. ECharts cuts a
 * label by a first guess from per-character widths, and whether a font gets its table of
 * per-character widths depends on how long measuring took in that thread (tryCreateASCIIWidthMap
 * gives up after a slow one): the same chart could come out cut differently from one thread or
 * one run to the next. Here a label is cut by measuring whole strings (ECharts' own text measure),
 * so a chart is the same wherever it is rendered.
 */

const ELLIPSIS = '...';

type Formatter = (value: unknown, ...rest: unknown[]) => unknown;

interface CutLabel {
  fontSize?: number;
  width?: number;
  overflow?: string;
  formatter?: unknown;
}

/** `text` cut to `width` px as ECharts' truncate mode would: the longest start that fits, then '...'. */
export function fitText(
  echarts: EChartsModule,
  text: string,
  fontSize: number,
  width: number,
): string {
  // A report shows its segment labels on a dozen axes at the same size and width: cut each once.
  const key = `${fontSize}\u0000${width}\u0000${text}`;
  let cut = fitted.get(key);
  if (cut === undefined) {
    if (fitted.size >= MAX_FITTED) fitted.clear();
    cut = cutText(echarts, text, fontSize, width);
    fitted.set(key, cut);
  }
  return cut;
}

/** Cut labels by size, width and text, at most MAX_FITTED of them (then started afresh). */
const fitted = new Map<string, string>();
const MAX_FITTED = 2000;

function cutText(echarts: EChartsModule, text: string, fontSize: number, width: number): string {
  const font = `${fontSize}px sans-serif`;
  const measure = (s: string) => echarts.format.getTextRect(s, font).width;
  const room = Math.max(0, width - 1);
  if (measure(text) <= room) return text;
  const ellipsis = measure(ELLIPSIS) <= room ? ELLIPSIS : '';
  // Binary search for the longest start that fits with the ellipsis (widths grow with length).
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(text.slice(0, mid) + ellipsis) <= room) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + ellipsis;
}

/** A label that ECharts would cut, as one that the report cuts (others as they are). */
function fitLabel(echarts: EChartsModule, label: CutLabel, key: LabelKey): CutLabel {
  if (label.overflow !== 'truncate' || typeof label.width !== 'number') return label;
  const { width } = label;
  const fontSize = label.fontSize ?? 12;
  const given = label.formatter;
  // A series label's text without a formatter is ECharts' choice (the name, the value…).
  if (given === undefined ? key === 'label' : typeof given !== 'function') return label;
  const format = given as Formatter | undefined;
  return {
    ...label,
    overflow: 'none',
    formatter: (value: unknown, ...rest: unknown[]) =>
      fitText(echarts, String(format ? format(value, ...rest) : value), fontSize, width),
  };
}

type LabelKey = 'axisLabel' | 'label';
type Part = Partial<Record<LabelKey, CutLabel>>;

function fitParts(echarts: EChartsModule, parts: unknown, key: LabelKey): unknown {
  const fit = (part: Part): Part =>
    part[key] ? { ...part, [key]: fitLabel(echarts, part[key], key) } : part;
  if (Array.isArray(parts)) return parts.map((p) => fit(p as Part));
  return parts && typeof parts === 'object' ? fit(parts as Part) : parts;
}

/**
 * The option with every cut label (axis labels, series labels with overflow 'truncate' and a
 * width; a series label without a formatter is left to ECharts) cut by the report.
 */
export function fitLabels(echarts: EChartsModule, option: EChartsOption): EChartsOption {
  const fitted: Record<string, unknown> = { ...option };
  for (const [part, key] of [
    ['xAxis', 'axisLabel'],
    ['yAxis', 'axisLabel'],
    ['series', 'label'],
  ] as const)
    if (option[part] !== undefined) fitted[part] = fitParts(echarts, option[part], key);
  return fitted as EChartsOption;
}
