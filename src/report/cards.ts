import { PERSONA_RULES } from '../segment/personas.js';
import type { ColumnProfile, Profiles, SegmentProfile } from '../segment/profile.js';
import { escapeHtml, type NumberFormat } from './format.js';
import { segmentColour } from './palette.js';

/**
 * Segment cards: name, size and share, revenue share, the traits that most set the segment apart
 * (the columns of largest |z-score|, in words, with the segment's mean against the average) and
 * the rule that named it.
 */

/** |z| below which a column does not count as a trait. */
const TRAIT_MIN_Z = 0.2;
const MAX_TRAITS = 3;

/** The traits of a segment in words: 'bought 25 days ago vs 93 overall'. */
export function segmentTraits(
  p: Profiles,
  s: SegmentProfile,
  fmt: NumberFormat,
  revenue: string | undefined,
): string[] {
  return s.columns
    .map((c, j) => ({ c, pop: p.population[j].mean }))
    .filter(({ c }) => c.zScore !== null && Math.abs(c.zScore) >= TRAIT_MIN_Z)
    .sort((a, b) => Math.abs(b.c.zScore!) - Math.abs(a.c.zScore!))
    .slice(0, MAX_TRAITS)
    .map(({ c, pop }) => traitText(c, pop, fmt, revenue));
}

function traitText(
  c: ColumnProfile,
  pop: number,
  fmt: NumberFormat,
  revenue: string | undefined,
): string {
  const v = (x: number) => fmt.value(x);
  const money = (x: number) => fmt.money(x);
  switch (c.column) {
    case 'recency_days':
      return `bought ${v(c.mean)} days ago vs ${v(pop)} overall`;
    case 'frequency':
      return `${v(c.mean)} orders vs ${v(pop)} overall`;
    case 'monetary':
      return `spent ${money(c.mean)} vs ${money(pop)} overall`;
    case 'avg_order_value':
      return `average order ${money(c.mean)} vs ${money(pop)} overall`;
    case 'tenure_days':
      return `a customer for ${v(c.mean)} days vs ${v(pop)} overall`;
    case 'return_rate':
      return `returned ${fmt.share(c.mean)} of value vs ${fmt.share(pop)} overall`;
    case 'distinct_products':
      return `${v(c.mean)} different products vs ${v(pop)} overall`;
    default: {
      const show = c.column === revenue ? money : v;
      return `${c.zScore! > 0 ? 'higher' : 'lower'} ${c.column}: ${show(c.mean)} vs ${show(pop)} overall`;
    }
  }
}

/** Which rule named the segment, in words. */
export function namingRule(name: string | undefined): string {
  if (name === undefined) return 'not named (no RFM columns and no names file)';
  const rule = PERSONA_RULES.find((r) => r.name === name);
  if (rule) return `persona rule: ${rule.description}`;
  if (/^Segment \d+: (high|low) /.test(name))
    return 'no persona rule was left for it: named after its largest deviation';
  return 'named by a names file';
}

export function cardsHtml(
  p: Profiles,
  fmt: NumberFormat,
  revenueShare: number[] | undefined,
  revenue: string | undefined,
): string {
  const cards = p.segments.map((s, c) => {
    const traits = segmentTraits(p, s, fmt, revenue);
    return `<article class="card" style="border-top-color:${segmentColour(s.segment)}" data-segment="${s.segment}">
<h3><span class="swatch" style="background:${segmentColour(s.segment)}"></span>${escapeHtml(s.name ?? `Segment ${s.segment}`)} <small>#${s.segment}</small></h3>
<p class="big">${fmt.count(s.size)} customers · ${fmt.share(s.share)}</p>
${revenueShare ? `<p>${fmt.share(revenueShare[c])} of revenue</p>` : ''}
<ul>${(traits.length ? traits : ['close to the average on every column']).map((t) => `<li>${escapeHtml(t)}</li>`).join('')}</ul>
<p class="rule">${escapeHtml(namingRule(s.name))}</p>
</article>`;
  });
  return `<div class="cards">${cards.join('\n')}</div>`;
}
