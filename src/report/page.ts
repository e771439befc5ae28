import type { SegmentModel } from '../model/model.js';
import type { Profiles } from '../segment/profile.js';
import { cardsHtml } from './cards.js';
import { renderSvg, type ChartSpec, type ChartTable } from './chart.js';
import { loadECharts } from './echarts.js';
import {
  distanceChart,
  projectionChart,
  selectionCharts,
  silhouetteChart,
} from './charts-shape.js';
import { plotSilhouettes } from './silhouette.js';
import { boxCharts, importanceChart, rfChart, sizeChart, snakeChart } from './charts-profile.js';
import { historyCharts } from './charts-history.js';
import { noiseShareChart } from './charts-noise.js';
import { dendrogramChart } from './charts-tree.js';
import { bisectingDrawnTree, wardDrawnTree } from './tree-layout.js';
import type { HistoryView } from './history-data.js';
import { escapeHtml, numberFormat, type NumberFormat } from './format.js';
import { centreDistances, projectSample, type ReportSample } from './sample.js';
import type { SelectionSummary } from './selection.js';
import { rfGrid, segmentBoxes } from './summaries.js';
import { REPORT_CSS } from './style.js';

/** Everything a report is made of: the model, the exact profiles and a stratified sample. */
export interface ReportData {
  title: string;
  /** The data, as the summary names it (a file name). */
  source: string;
  model: SegmentModel;
  profiles: Profiles;
  sample: ReportSample;
  selection?: SelectionSummary;
  /** How k was chosen, in words. */
  kChoice: string;
  asOf?: string;
  seconds?: number;
  currency?: string;
  /** The revenue column (monetary, or --revenue), when there is one. */
  revenue?: string;
  /** A --history store's periods up to this one (section 6, "Over time"). */
  history?: HistoryView;
}

/** Columns that get box plots, at most (features first, then profile-only columns). */
const MAX_BOX_CHARTS = 10;

/** The report as one self-contained HTML page: inline CSS and SVG, no script, no external URL. */
export async function renderReport(d: ReportData): Promise<string> {
  const echarts = await loadECharts();
  const fmt = numberFormat(d.currency);
  const p = d.profiles;
  const names = p.segments.map((s) => s.name);
  // Segment ids as the page shows them: stable keys with --history, else 0..k−1.
  const keys = p.segments.map((s) => s.segment);
  const columns = p.population.map((c) => c.column);
  const revenueAt = d.revenue === undefined ? -1 : columns.indexOf(d.revenue);
  const revenue =
    revenueAt < 0 ? undefined : p.segments.map((s) => s.columns[revenueAt].mean * s.size);
  const revenueTotal = revenue?.reduce((a, b) => a + b, 0);
  const revenueShare = revenue?.map((r) => (revenueTotal ? r / revenueTotal : 0));
  const sampleRows = d.sample.rows.length;
  const chart = (spec: ChartSpec): string => figure(spec, renderSvg(echarts, spec));

  const sizes = [
    sizeChart(
      p,
      'sizes',
      'Customers per segment',
      'customers',
      p.segments.map((s) => s.size),
      fmt.count,
      p.segments.map((s) => s.share),
    ),
    ...(revenue && revenueShare
      ? [
          sizeChart(
            p,
            'revenue',
            `Revenue per segment (${d.revenue})`,
            `revenue (${d.revenue})`,
            revenue,
            fmt.moneyShort,
            revenueShare,
          ),
        ]
      : []),
  ];
  const boxes = boxCharts(
    p,
    columns.slice(0, MAX_BOX_CHARTS).map((c) => ({
      column: c,
      boxes: segmentBoxes(d.sample, c, p.segments.length),
      fmt: c === d.revenue || c === 'avg_order_value' ? fmt.moneyShort : fmt.value,
    })),
  );
  // DBSCAN's noise (segment −1, last in the profiles) has no centre: centre charts leave it out.
  const centred = d.model.centres.length;
  const rfm = ['recency_days', 'frequency', 'monetary'].every((c) => d.sample.values.has(c));
  const projection = projectSample(d.sample, d.model.centres);
  const sections = [
    section('summary', 'Summary', summaryHtml(d, fmt)),
    section('segments', 'Segments', cardsHtml(p, fmt, revenueShare, d.revenue)),
    section(
      'profiles',
      'Sizes and profiles',
      `<div class="pair">${sizes.map(chart).join('')}</div>` +
        chart(snakeChart(p)) +
        chart(importanceChart(p, fmt)) +
        `<h3 class="sub">Distributions</h3><p class="note">${escapeHtml(boxNote(sampleRows))}</p><div class="pair">${boxes.map(chart).join('')}</div>` +
        (rfm
          ? chart(
              rfChart(rfGrid(d.sample, 'recency_days', 'frequency', 'monetary'), fmt, sampleRows),
            )
          : ''),
    ),
    ...hierarchySection(d, keys, names, chart),
    ...(d.model.algorithm === 'dbscan'
      ? [
          section(
            'unusual',
            'Unusual customers',
            chart(noiseShareChart(p, fmt, { eps: d.model.eps, minSamples: d.model.minSamples })),
          ),
        ]
      : []),
    ...(d.selection
      ? [
          section(
            'choosing-k',
            'Choosing k',
            `<p>${escapeHtml(`k = ${d.model.k} was chosen: ${d.kChoice}.`)}</p><div class="pair">${selectionCharts(d.selection, d.model.k).map(chart).join('')}</div>`,
          ),
        ]
      : []),
    section(
      'shape',
      'Shape',
      chart(projectionChart(projection, d.sample.labels, names, keys, sampleRows)) +
        chart(
          distanceChart(
            centreDistances(d.model.centres),
            names.slice(0, centred),
            keys.slice(0, centred),
          ),
        ) +
        // Silhouettes compare clusters; DBSCAN's noise is none, so its model gets no such chart.
        (p.segments.length > 1 && d.model.algorithm !== 'dbscan'
          ? chart(silhouettes(d.sample, names, keys))
          : ''),
    ),
    ...(d.history ? [section('history', 'Over time', historyHtml(d.history, fmt, chart))] : []),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(d.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(d.title)}</h1>
${sections.join('\n')}
<footer>Made by gpuseg ${escapeHtml(d.model.gpusegVersion)}. Charts are static SVG; every chart's numbers are in the table under it.</footer>
</main>
</body>
</html>
`;
}

/** The silhouette plot, on a stratified sub-sample of the sample (plotSilhouettes). */
function silhouettes(
  sample: ReportSample,
  names: (string | undefined)[],
  keys: number[],
): ChartSpec {
  const { values, labels } = plotSilhouettes(sample, names.length);
  return silhouetteChart(values, labels, names, keys);
}

/** Ward's dendrogram or the bisecting split tree, for hierarchical models. */
function hierarchySection(
  d: ReportData,
  keys: number[],
  names: (string | undefined)[],
  chart: (spec: ChartSpec) => string,
): string[] {
  const m = d.model;
  if (m.algorithm === 'ward') {
    const tree = wardDrawnTree(m.dendrogram, m.groupSegments);
    const drawn = tree.nodes.filter((n) => n.children !== null).length;
    const leaves = m.wardMethod === 'exact' ? 'rows' : 'micro-clusters';
    return [
      section(
        'hierarchy',
        'Hierarchy',
        chart(
          dendrogramChart(tree, keys, names, {
            title: 'Dendrogram (Ward)',
            note: `The last ${drawn} merges of Ward's agglomeration of the ${m.dendrogram.leaves.toLocaleString('en')} ${leaves}, at their merge heights; the dashed line cuts the tree into the k = ${m.k} segments (gpuseg cut MODEL --k N re-cuts it). Leaves: the clusters just below the lowest merge drawn, with their segment and rows; links within one segment in its colour.`,
            axis: 'merge height (Ward distance, clustering space)',
          }),
        ),
      ),
    ];
  }
  if (m.algorithm === 'bisecting')
    return [
      section(
        'hierarchy',
        'Hierarchy',
        chart(
          dendrogramChart(bisectingDrawnTree(m.tree), keys, names, {
            title: 'Split tree (bisecting k-means)',
            note: `Each split of bisecting k-means (${m.bisectingStrategy}) drawn at the SSE of the cluster it split; leaves: the k = ${m.k} segments with their rows. A cut after fewer splits gives fewer segments (gpuseg cut MODEL --k N).`,
            axis: 'SSE of the cluster split (clustering space)',
          }),
        ),
      ),
    ];
  return [];
}

function historyHtml(
  view: HistoryView,
  fmt: NumberFormat,
  chart: (spec: ChartSpec) => string,
): string {
  const n = view.periods.length;
  const last = view.periods[n - 1];
  const intro =
    n < 2
      ? `The store ${view.dir} holds one period (${last.asOf}): migration and stability start with the next.`
      : `The store ${view.dir} holds ${n} periods, ${view.periods[0].asOf} to ${last.asOf}. Segments keep their key (and colour) from period to period; published segments change only after the confirmation periods.`;
  return `<p>${escapeHtml(intro)}</p>` + historyCharts(view, fmt).map(chart).join('');
}

function boxNote(sampleRows: number): string {
  return `Box: the middle half of a segment's customers, line: the median; whiskers reach the farthest value within 1.5 × the box's length (outliers not drawn). From a stratified sample of ${sampleRows.toLocaleString('en')} customers (every segment represented).`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

function figure(spec: ChartSpec, svg: string): string {
  const cell = (c: { text: string; value?: number | string | null }, tag: string) =>
    `<${tag}${c.value !== undefined ? ` data-value="${escapeHtml(c.value === null ? '' : String(c.value))}"` : ''}>${escapeHtml(c.text)}</${tag}>`;
  const details = (t: ChartTable) =>
    `<details${t.id ? ` data-table="${escapeHtml(t.id)}"` : ''}><summary>Data${t.name ? `: ${escapeHtml(t.name)}` : ''}</summary><div class="table-wrap">` +
    `<table><thead><tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
    t.rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('') +
    '</tbody></table></div></details>';
  const tables = Array.isArray(spec.table) ? spec.table : [spec.table];
  return `<figure class="chart" id="chart-${escapeHtml(spec.id)}" data-chart="${escapeHtml(spec.id)}"${spec.segments ? ` data-segments="${spec.segments.join(',')}"` : ''}>
<h3>${escapeHtml(spec.title)}</h3>
${spec.note ? `<p class="note">${escapeHtml(spec.note)}</p>` : ''}
<div class="svg">${svg}</div>
${tables.map(details).join('\n')}
</figure>`;
}

/** The algorithm and its main settings, as the summary names them. */
function algorithmLabel(m: SegmentModel): string {
  switch (m.algorithm) {
    case 'gmm':
      return `Gaussian mixture (${m.covarianceType} covariance)`;
    case 'kprototypes':
      return `k-prototypes (γ = ${Number(m.gamma.toPrecision(3))})`;
    case 'bisecting':
      return `bisecting k-means (${m.bisectingStrategy})`;
    case 'ward':
      return `Ward (${m.wardMethod})`;
    case 'dbscan':
      return `DBSCAN (eps ${m.eps.toPrecision(4)}, min-samples ${m.minSamples}; ${m.noise} rows unusual)`;
    case 'birch':
      return `BIRCH (threshold ${m.threshold}, ${m.subclusterLabels.length} subclusters, ${m.global})`;
    default:
      return m.trainedWith === 'minibatch-kmeans' ? 'mini-batch k-means' : 'k-means';
  }
}

function summaryHtml(d: ReportData, fmt: NumberFormat): string {
  const m = d.model;
  const prep = m.preprocessing;
  const features = m.features;
  const profileOnly = d.profiles.population
    .filter((c) => c.role === 'profile')
    .map((c) => c.column);
  const steps = prep
    ? [
        prep.impute ? `impute ${prep.impute.strategy}` : '',
        prep.log.length ? `log of ${prep.log.join(', ')}` : '',
        prep.clip ? `clip at ${prep.clip.factor} × IQR` : '',
        `scale ${prep.scale.kind}`,
        prep.pca ? `PCA to ${prep.pca.components.length} components` : '',
      ].filter(Boolean)
    : ['none'];
  const algorithm = algorithmLabel(m);
  const rows: [string, string][] = [
    ['data', d.source],
    ...(d.asOf ? [['as of', d.asOf] as [string, string]] : []),
    ['customers', `${fmt.count(d.profiles.rows)} (${d.profiles.rows.toLocaleString('en')})`],
    ['segments', `k = ${m.k}, ${d.kChoice}`],
    [
      'algorithm',
      `${algorithm}, ${m.iterations} iterations${m.converged ? '' : ' (not converged)'}, seed ${m.seed}`,
    ],
    ['clustered on', features.join(', ')],
    ['profile-only columns', profileOnly.length ? profileOnly.join(', ') : 'none'],
    ['preprocessing', steps.join('; ')],
    ['revenue', d.revenue ?? 'no revenue column (monetary, or --revenue COLUMN)'],
    [
      'backend',
      `${m.backend} (${m.device})${d.seconds !== undefined ? `, fit in ${d.seconds.toFixed(2)} s` : ''}`,
    ],
  ];
  return `<table class="summary"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>`;
}
