import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableFromIPC } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import {
  fit,
  fitReport,
  report,
  saveModel,
  type BisectingModel,
  type WardModel,
} from '../src/index.js';
import { NOISE_COLOUR, segmentColour } from '../src/report/palette.js';
import { wardDrawnTree } from '../src/report/tree-layout.js';
import { sklearnDbscanCases } from './helpers/dbscan-reference.js';
import { errors, gpuseg, tempDir } from './helpers/cli.js';

/**
 * The report's hierarchy and density charts (issue 18): Ward's dendrogram (its top merges at the
 * stored heights, the cut between the merges that make k and k − 1 segments), bisecting k-means'
 * split tree, and DBSCAN's noise share ("Unusual", segment −1) beside the cluster sizes.
 */
const WHOLESALE = 'datasets/wholesale-customers.arrow';
const FEATURES = ['Fresh', 'Milk', 'Grocery', 'Frozen', 'Detergents_Paper', 'Delicassen'];

/** The figure of chart `id`, its data-table cells (data-value) row by row. */
function figure(html: string, id: string): { html: string; rows: string[][] } {
  const f = new RegExp(`<figure class="chart" id="chart-${id}"[\\s\\S]*?</figure>`).exec(html);
  expect(f, `chart ${id}`).not.toBeNull();
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(f![0])![1];
  const rows = [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<td(?: data-value="([^"]*)")?>([^<]*)<\/td>/g)].map((c) => c[1] ?? c[2]),
  );
  return { html: f![0], rows };
}

describe('Ward: the dendrogram', () => {
  test('the last 30 merges at their stored heights, the cut between k and k − 1, in the report', async () => {
    const r = await fit(WHOLESALE, {
      k: 4,
      algorithm: 'ward',
      backend: 'cpu',
      features: FEATURES,
      log: FEATURES,
    });
    const model = r.model as WardModel;
    const merges = model.dendrogram.merges;
    expect(merges.length).toBeGreaterThan(30);
    const html = await fitReport(r, { source: 'wholesale' });
    expect(html).toContain('<section id="hierarchy">');
    const { html: fig, rows } = figure(html, 'dendrogram');
    expect(rows).toHaveLength(30);
    // Row s: the s-th merge from the top, at the model's own height (clustering-space Ward distance).
    const top = merges.slice(-30).reverse();
    rows.forEach((row, s) => {
      expect(Number(row[0])).toBe(s + 1);
      expect(Number(row[1])).toBe(s + 2);
      expect(Number(row[2])).toBe(top[s].height);
    });
    // The root joins every row; merges below the cut lie within one segment, the top k − 1 do not.
    expect(Number(rows[0][3])).toBe(440);
    for (let s = 0; s < 30; s++) expect(rows[s][5].startsWith('several')).toBe(s < model.k - 1);
    // The cut sits between the merge that makes k segments and the one that makes k − 1.
    const tree = wardDrawnTree(model.dendrogram, model.groupSegments);
    expect(tree.cut!).toBeGreaterThan(top[model.k - 1].height);
    expect(tree.cut!).toBeLessThan(top[model.k - 2].height);
    expect(fig).toContain(`cut: k = ${model.k}`);
    // Leaves of the drawn tree: 31 clusters whose rows add up to the table's.
    const leaves = tree.nodes.filter((n) => n.children === null);
    expect(leaves).toHaveLength(31);
    expect(leaves.reduce((a, n) => a + n.rows, 0)).toBe(440);
    // Each segment's links in its colour.
    for (let c = 0; c < model.k; c++) expect(fig).toContain(`stroke="${segmentColour(c)}"`);
  });

  test('a dendrogram that keeps fewer merges is drawn whole; k = 1 puts the cut above the root', () => {
    const dendrogram = {
      leaves: 4,
      groups: [0, 1, 2, 3].map((node) => ({ node, rows: 1, sse: 0, centre: [node] })),
      merges: [
        { children: [0, 1] as [number, number], height: 1 },
        { children: [2, 3] as [number, number], height: 2 },
        { children: [4, 5] as [number, number], height: 5 },
      ],
    };
    const two = wardDrawnTree(dendrogram, [0, 0, 1, 1]);
    expect(two.nodes.map((n) => n.height)).toEqual([0, 0, 1, 0, 0, 2, 5]);
    expect(two.nodes.map((n) => n.segment)).toEqual([0, 0, 0, 1, 1, 1, null]);
    expect(two.cut).toBe(3.5);
    const one = wardDrawnTree(dendrogram, [0, 0, 0, 0]);
    expect(one.cut).toBeGreaterThan(5);
  });
});

test('bisecting k-means: the split tree, each split at its SSE, leaves the k segments', async () => {
  const r = await fit(WHOLESALE, {
    k: 5,
    algorithm: 'bisecting',
    backend: 'cpu',
    seed: 3,
    features: FEATURES,
    log: FEATURES,
  });
  const tree = (r.model as BisectingModel).tree;
  const html = await fitReport(r, { source: 'wholesale' });
  const { html: fig, rows } = figure(html, 'dendrogram');
  expect(fig).toContain('Split tree (bisecting k-means)');
  expect(rows).toHaveLength(4);
  const splits = tree.filter((n) => n.children !== null).sort((a, b) => b.sse - a.sse);
  rows.forEach((row, s) => {
    expect(Number(row[2])).toBe(splits[s].sse);
    expect(Number(row[3])).toBe(splits[s].rows);
  });
  expect(/data-segments="([^"]*)"/.exec(fig)![1].split(',').map(Number).sort()).toEqual([
    0, 1, 2, 3, 4,
  ]);
  // No cut line: the tree's leaves are the segments.
  expect(fig).not.toContain('cut: k');
});

const blobs = sklearnDbscanCases[0];

function blobTable() {
  const column = (f: number) =>
    Float32Array.from({ length: blobs.rows }, (_, i) => blobs.data[i * blobs.dims + f]);
  return tableFromArrays({
    customer_id: Int32Array.from({ length: blobs.rows }, (_, i) => 500 + i),
    x: column(0),
    y: column(1),
    spend: Float64Array.from({ length: blobs.rows }, (_, i) => (i % 7) * 10),
  });
}

describe('DBSCAN: the noise share', () => {
  const options = {
    algorithm: 'dbscan' as const,
    eps: blobs.eps,
    minSamples: blobs.min_samples,
    scale: 'none' as const,
    backend: 'cpu' as const,
    features: ['x', 'y'],
    profile: ['spend'],
  };
  const noise = blobs.labels.filter((l) => l < 0).length;

  test('fitReport: "Unusual" first with its share, then the clusters; noise grey, no silhouette', async () => {
    const r = await fit(blobTable(), options);
    expect(noise).toBeGreaterThan(0);
    const html = await fitReport(r, { source: 'blobs' });
    expect(html).toContain('<section id="unusual">');
    const { html: fig, rows } = figure(html, 'noise');
    expect(rows).toHaveLength(r.model.k + 1);
    expect(rows[0][0]).toBe('-1 Unusual');
    expect(Number(rows[0][1])).toBe(noise);
    expect(Number(rows[0][2])).toBe(noise / blobs.rows);
    const sizes = rows.slice(1).map((row) => Number(row[1]));
    expect(sizes).toEqual([...r.sizes].sort((a, b) => b - a));
    expect(fig).toContain(`fill="${NOISE_COLOUR}"`);
    expect(html).toContain(`data-segment="-1"`);
    expect(html).not.toContain('data-chart="silhouette"');
    expect(html).toContain('data-chart="projection"');
  });

  test('the CLI: fit --report and gpuseg report from the files both chart the noise', async () => {
    const dir = tempDir();
    const input = join(dir, 'blobs.arrow');
    const { tableToIPC } = await import('apache-arrow');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(input, tableToIPC(blobTable(), 'file'));
    const flags = ['--features', 'x,y', '--scale', 'none', '--backend', 'cpu'];
    const dbscan = ['--algorithm', 'dbscan', '--eps', String(blobs.eps)];
    const minSamples = ['--min-samples', String(blobs.min_samples)];
    const out = join(dir, 'out.arrow');
    const model = join(dir, 'model.json');
    const fitted = gpuseg([
      'fit',
      input,
      ...flags,
      ...dbscan,
      ...minSamples,
      '--output',
      out,
      '--model',
      model,
      '--report',
      join(dir, 'fit.html'),
    ]);
    expect(errors(fitted)).toBe('');
    expect(fitted.status).toBe(0);
    const made = gpuseg([
      'report',
      input,
      '--model',
      model,
      '--segments',
      out,
      '--output',
      join(dir, 'report.html'),
    ]);
    expect(errors(made)).toBe('');
    expect(made.status).toBe(0);
    for (const page of ['fit.html', 'report.html']) {
      const { rows } = figure(readFileSync(join(dir, page), 'utf8'), 'noise');
      expect(rows[0][0]).toBe('-1 Unusual');
      expect(Number(rows[0][1])).toBe(noise);
    }
    // The API's report() takes the same files.
    const segments = tableFromIPC(readFileSync(out));
    expect(segments.getChild('segment_id')!.toArray()).toContain(-1);
    const html = await report(input, { model, segments: out });
    expect(figure(html, 'noise').rows[0][1]).toBe(String(noise));
  });

  test('a k-means model with a segment −1 in its segments is still refused', async () => {
    const r = await fit(WHOLESALE, { k: 2, seed: 1, backend: 'cpu', features: ['Fresh', 'Milk'] });
    const dir = tempDir();
    const model = join(dir, 'model.json');
    saveModel(model, r.model);
    const labels = Int32Array.from(r.labels, (l, i) => (i === 0 ? -1 : l));
    const segments = tableFromArrays({ segment_id: labels });
    await expect(report(WHOLESALE, { model, segments })).rejects.toThrow(/segment_id below 0/);
  });
});
