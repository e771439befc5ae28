import { CHART_WIDTH, GRID, segmentLabel, valueAxis, type Cell, type ChartSpec } from './chart.js';
import { segmentColour } from './palette.js';
import { layoutTree, type DrawnTree } from './tree-layout.js';

/** The hierarchy of a Ward or bisecting model, drawn as a dendrogram (tree-layout.ts). */

/** Links above the cut (spanning several segments). */
const SPANNING = '#777777';

const exact = (x: number): Cell => ({ text: String(Number(x.toPrecision(4))), value: x });

export interface DendrogramText {
  title: string;
  note: string;
  /** What the heights are, for the y axis and the table. */
  axis: string;
}

/**
 * The tree as a dendrogram: one ⊓ per inner node at its height, leaves at 0 labelled with their
 * rows, links within one segment in its colour (others grey), the cut as a dashed line.
 */
export function dendrogramChart(
  tree: DrawnTree,
  keys: readonly number[],
  names: readonly (string | undefined)[],
  text: DendrogramText,
): ChartSpec {
  // Tree nodes hold segment positions; colours and labels follow the segment ids the page shows.
  const { nodes } = tree;
  const { x, leaves } = layoutTree(tree);
  const colour = (s: number | null) => (s === null ? SPANNING : segmentColour(keys[s]));
  const links = nodes.flatMap((node, i) => {
    if (node.children === null) return [];
    const [a, b] = node.children;
    return [
      {
        coords: [
          [x[a], nodes[a].height],
          [x[a], node.height],
        ],
        lineStyle: { color: colour(nodes[a].segment) },
      },
      {
        coords: [
          [x[b], nodes[b].height],
          [x[b], node.height],
        ],
        lineStyle: { color: colour(nodes[b].segment) },
      },
      {
        coords: [
          [x[a], node.height],
          [x[b], node.height],
        ],
        lineStyle: { color: colour(nodes[i].segment) },
      },
    ];
  });
  const top = Math.max(...nodes.map((n) => n.height), tree.cut ?? 0) * 1.08 || 1;
  const leafLabel = (i: number): string => {
    const s = nodes[i].segment;
    return `${s === null ? '' : `${keys[s]} `}(${nodes[i].rows.toLocaleString('en')})`;
  };
  const inner = nodes
    .map((n, i) => i)
    .filter((i) => nodes[i].children !== null)
    .sort((p, q) => nodes[q].height - nodes[p].height);
  const k = new Set(nodes.filter((n) => n.segment !== null).map((n) => n.segment)).size;
  const segmentsDrawn = [...new Set(leaves.map((i) => nodes[i].segment))]
    .filter((s): s is number => s !== null)
    .map((s) => keys[s]);
  return {
    id: 'dendrogram',
    title: text.title,
    note: text.note,
    width: CHART_WIDTH,
    height: 380,
    option: {
      grid: { ...GRID, bottom: 48 },
      xAxis: valueAxis('clusters (segment and rows), left to right in tree order', {
        // Ticks at the integers, where the leaves are; one empty step at each end.
        min: -1,
        max: leaves.length,
        interval: 1,
        splitLine: { show: false },
        nameGap: 36,
        axisLabel: {
          fontSize: 9,
          rotate: leaves.length > 12 ? 60 : 0,
          formatter: (v: number) =>
            Number.isInteger(v) && v >= 0 && v < leaves.length ? leafLabel(leaves[v]) : '',
        },
      }),
      yAxis: valueAxis(text.axis, { min: 0, max: Number(top.toPrecision(3)), nameGap: 48 }),
      series: [
        {
          type: 'lines',
          coordinateSystem: 'cartesian2d',
          lineStyle: { width: 1.5, opacity: 1 },
          data: links,
        },
        {
          type: 'scatter',
          symbolSize: 7,
          data: leaves.map((i) => ({
            value: [x[i], 0],
            itemStyle: { color: colour(nodes[i].segment) },
          })),
          ...(tree.cut !== undefined
            ? {
                markLine: {
                  silent: true,
                  symbol: 'none',
                  lineStyle: { type: 'dashed', color: '#D55E00', width: 1.5 },
                  label: { formatter: `cut: k = ${k}`, position: 'insideEndTop', fontSize: 11 },
                  data: [{ yAxis: tree.cut }],
                },
              }
            : {}),
        },
      ],
    },
    table: {
      head: [
        'step from the top',
        'clusters just below',
        text.axis,
        'rows joined',
        'rows of each part',
        'segment',
      ],
      rows: inner.map((i, step) => {
        const [a, b] = nodes[i].children!;
        const s = nodes[i].segment;
        return [
          { text: String(step + 1), value: step + 1 },
          { text: String(step + 2), value: step + 2 },
          exact(nodes[i].height),
          { text: nodes[i].rows.toLocaleString('en'), value: nodes[i].rows },
          { text: `${nodes[a].rows.toLocaleString('en')} + ${nodes[b].rows.toLocaleString('en')}` },
          { text: s === null ? 'several (above the cut)' : segmentLabel(keys[s], names[s]) },
        ];
      }),
    },
    segments: segmentsDrawn,
  };
}
