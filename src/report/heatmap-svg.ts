import type { EChartsModule } from './chart.js';
import { escapeHtml } from './format.js';
import { fitText } from './label-fit.js';
import { FONT } from './style.js';

/**
 * The report's heatmaps (relative importance, R×F mean spend, distances between centres and, with
 * a --history store, the transition matrix) drawn as SVG by the report itself, the other charts by
 * ECharts (README, Report: "Why the heatmaps are not ECharts'"). A heatmap is a grid of coloured
 * cells with a label each, two category axes and a colour scale: ECharts spent 10–15 ms on each
 * (its fixed cost per chart: option merging, layout, the SVG painter), a third of a 10M-customer
 * report's chart time, and wrote each cell as a path plus a text element carrying the whole font
 * style (~30 KiB a heatmap, 90 KiB of a 312 KiB report); here a heatmap takes well under a
 * millisecond and ~6 KiB at k = 7. The look follows ECharts' (its axis colour and sizes, label
 * colours chosen for contrast, the legend's gradient bar with its end texts) so that the page
 * reads as one.
 */

/** A heatmap: rows × columns of values, each drawn in a colour of the scale and labelled. */
export interface Heatmap {
  /** Labels of the columns (x, left to right) and of the rows (y, top to bottom). */
  columns: string[];
  rows: string[];
  /** The axes' names ('' for none): under the column labels, and turned along the rows'. */
  columnName: string;
  rowName: string;
  /** values[row][column]; null where there is none (left blank: a centre's distance to itself). */
  values: (number | null)[][];
  /** Colours from `min` to `max`, evenly spaced; a value beyond either end takes that end's. */
  colours: readonly string[];
  min: number;
  max: number;
  /** A cell's label. */
  label: (value: number) => string;
  /** The scale's end texts: at `min` (left) and at `max` (right). */
  legend: [string, string];
  /** Font size of the column labels (11 unless given; smaller where there are many). */
  columnFontSize?: number;
}

const AXIS_COLOUR = '#54555a';
/** A label's colour on a light cell; white on a dark one (labelColour). */
const DARK_LABEL = '#333333';
/** Texts are placed by their middle, as ECharts places them. */
const CENTRAL = 'dominant-baseline="central"';
const LABEL_SIZE = 11;
const NAME_SIZE = 12;
/** Space between a tick label and the grid, as ECharts' axisLabel.margin. */
const LABEL_GAP = 8;
const LEGEND_WIDTH = 200;
/** How much wider than measured a label may come out in the page's font. */
const WIDE_FONT = 1.25;
const LEGEND_HEIGHT = 14;
const TOP = 16;
const RIGHT = 24;
const LEFT = 24;
/** Below the grid: column labels, the axis name, the legend. */
const BOTTOM = 84;

/** The heatmap as an SVG of `width` × `height` px (scaled to its box by its viewBox). */
export function heatmapSvg(
  echarts: EChartsModule,
  h: Heatmap,
  size: { id: string; width: number; height: number; title: string },
): string {
  const { width, height } = size;
  const measure = (text: string, fontSize: number): number =>
    echarts.format.getTextRect(text, `${fontSize}px sans-serif`).width;
  const rowLabels = h.rows.map((r) => fitText(echarts, r, LABEL_SIZE, 110));
  const rowLabelWidth = Math.max(0, ...rowLabels.map((r) => measure(r, LABEL_SIZE)));
  const nameRoom = h.rowName ? NAME_SIZE + 10 : 0;
  // Measures are of a generic sans-serif; the page's system font may draw wider: room to spare,
  // so that the rows' name never runs into their labels.
  const left = LEFT + nameRoom + Math.ceil(WIDE_FONT * rowLabelWidth) + LABEL_GAP;
  const gridWidth = Math.max(1, width - left - RIGHT);
  const gridHeight = Math.max(1, height - TOP - BOTTOM);
  const cellWidth = gridWidth / Math.max(1, h.columns.length);
  const cellHeight = gridHeight / Math.max(1, h.rows.length);
  const bottom = TOP + gridHeight;
  const columnSize = h.columnFontSize ?? LABEL_SIZE;
  // Texts take their font and colour from the picture and their size and anchor from their group
  // (properties SVG inherits): a cell's label is then its position, baseline and text (and a
  // colour on dark cells). The baseline is on each text: SVG 1.1 renderers do not inherit it.
  const cells: string[] = [];
  const cellLabels: string[] = [];
  h.values.forEach((row, r) =>
    row.forEach((v, c) => {
      if (v === null || !Number.isFinite(v)) return;
      const fill = scaleColour(h.colours, (v - h.min) / (h.max - h.min || 1));
      // Whole-pixel edges shared by neighbours: no hairline seams of background between cells.
      const [x, x1] = [Math.round(left + c * cellWidth), Math.round(left + (c + 1) * cellWidth)];
      const [y, y1] = [Math.round(TOP + r * cellHeight), Math.round(TOP + (r + 1) * cellHeight)];
      cells.push(`<rect x="${x}" y="${y}" width="${x1 - x}" height="${y1 - y}" fill="${fill}"/>`);
      const colour = labelColour(fill);
      const attrs = colour === DARK_LABEL ? '' : ` fill="${colour}"`;
      cellLabels.push(text(h.label(v), (x + x1) / 2, (y + y1) / 2, attrs));
    }),
  );
  const parts = [
    ...cells,
    group(`font-size="${LABEL_SIZE}" text-anchor="middle" fill="${DARK_LABEL}"`, cellLabels),
    // The axes: lines along the grid's left and bottom edges, as ECharts' category axes draw them.
    `<path d="M${px(left)} ${px(TOP)}V${px(bottom)}H${px(left + gridWidth)}" fill="none" stroke="${AXIS_COLOUR}"/>`,
    group(
      `font-size="${LABEL_SIZE}" text-anchor="end"`,
      rowLabels.map((label, r) => text(label, left - LABEL_GAP, TOP + (r + 0.5) * cellHeight)),
    ),
    group(
      `font-size="${columnSize}" text-anchor="middle"`,
      h.columns.map((label, c) =>
        text(
          fitText(echarts, label, columnSize, Math.max(8, cellWidth - 4)),
          left + (c + 0.5) * cellWidth,
          bottom + LABEL_GAP + columnSize / 2 + 2,
        ),
      ),
    ),
  ];
  const named: string[] = [];
  if (h.columnName)
    named.push(text(h.columnName, left + gridWidth / 2, bottom + LABEL_GAP + columnSize + 18));
  if (h.rowName) {
    // Along the rows, centred on them where it fits beside them, else moved along the picture's
    // height (the bottom's room is free at the far left), and cut only past that.
    const name = fitText(echarts, h.rowName, NAME_SIZE, height - 8);
    const half = (WIDE_FONT * measure(name, NAME_SIZE)) / 2;
    const middle = Math.min(Math.max(TOP + gridHeight / 2, 4 + half), height - 4 - half);
    const at = `translate(${px(LEFT + NAME_SIZE / 2)} ${px(middle)}) rotate(-90)`;
    named.push(`<text transform="${at}" ${CENTRAL}>${escapeHtml(name)}</text>`);
  }
  parts.push(
    group(`font-size="${NAME_SIZE}" text-anchor="middle"`, [
      ...named,
      legend(h, `scale-${size.id}`, width / 2, height - LEGEND_HEIGHT / 2 - 4),
    ]),
  );
  return (
    `<svg role="img" aria-label="${escapeHtml(size.title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg" font-family="${escapeHtml(FONT)}" fill="${AXIS_COLOUR}">` +
    parts.join('') +
    '</svg>'
  );
}

/** The colour scale: a gradient bar centred at (cx, cy), the end texts beside it. */
function legend(h: Heatmap, id: string, cx: number, cy: number): string {
  const x = cx - LEGEND_WIDTH / 2;
  const y = cy - LEGEND_HEIGHT / 2;
  const last = h.colours.length - 1;
  const stops = h.colours
    .map((c, i) => `<stop offset="${px((100 * i) / Math.max(1, last))}%" stop-color="${c}"/>`)
    .join('');
  const [low, high] = h.legend;
  const gap = 10;
  return (
    // The gradient's id is the page's only one of its name: one per chart.
    `<defs><linearGradient id="${escapeHtml(id)}">${stops}</linearGradient></defs>` +
    `<rect x="${px(x)}" y="${px(y)}" width="${LEGEND_WIDTH}" height="${LEGEND_HEIGHT}" rx="3" fill="url(#${escapeHtml(id)})"/>` +
    // Anchored at the bar's ends: however wide the page's font draws them, they keep their gap.
    text(low, x - gap, cy, ' text-anchor="end"') +
    text(high, x + LEGEND_WIDTH + gap, cy, ' text-anchor="start"')
  );
}

function text(s: string, x: number, y: number, attrs = ''): string {
  return `<text x="${px(x)}" y="${px(y)}" ${CENTRAL}${attrs}>${escapeHtml(s)}</text>`;
}

function group(attrs: string, children: string[]): string {
  return children.length ? `<g ${attrs}>${children.join('')}</g>` : '';
}

/** A coordinate as SVG text: two decimals at most, no trailing zeros. */
function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** The colour at t ∈ [0, 1] of evenly spaced `colours` (linear in RGB, as ECharts' visualMap). */
export function scaleColour(colours: readonly string[], t: number): string {
  const at = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (colours.length - 1);
  const i = Math.min(colours.length - 2, Math.floor(at));
  if (i < 0) return colours[0];
  const f = at - i;
  const [a, b] = [rgb(colours[i]), rgb(colours[i + 1])];
  return `#${a
    .map((v, j) =>
      Math.round(v + (b[j] - v) * f)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1, 7), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * A cell label's colour: white or dark grey, whichever contrasts more with the cell (WCAG's
 * relative luminance), as ECharts picks an inside label's colour.
 */
export function labelColour(fill: string): string {
  const [r, g, b] = rgb(fill).map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const dark = 0.0331; // DARK_LABEL's relative luminance
  return 1.05 / (lum + 0.05) > (lum + 0.05) / (dark + 0.05) ? '#ffffff' : DARK_LABEL;
}
