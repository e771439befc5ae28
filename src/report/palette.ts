/**
 * Colours: one per segment id, the same in every chart, from palettes readable with the common
 * colour-vision deficiencies — Okabe & Ito's eight (without black), then Paul Tol's 'muted' set;
 * beyond those the sequence repeats (k > 16 is rare in a marketer's report). Diverging values
 * (relative importance) use Tol's BuRd scheme, centred on white at 0.
 */
const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'];
const TOL_MUTED = [
  '#332288',
  '#88CCEE',
  '#44AA99',
  '#117733',
  '#999933',
  '#DDCC77',
  '#CC6677',
  '#882255',
  '#AA4499',
];

const SEGMENT_COLOURS = [...OKABE_ITO, ...TOL_MUTED];

/** DBSCAN's noise (segment −1, "Unusual"): Tol's grey, apart from every segment colour. */
export const NOISE_COLOUR = '#BBBBBB';

/** The colour of segment `id` in every chart; negative ids (DBSCAN's noise) are grey. */
export function segmentColour(id: number): string {
  return id < 0 ? NOISE_COLOUR : SEGMENT_COLOURS[id % SEGMENT_COLOURS.length];
}

/** Tol's BuRd: below 0 blue, 0 white, above 0 red. */
export const DIVERGING = [
  '#2166AC',
  '#4393C3',
  '#92C5DE',
  '#D1E5F0',
  '#F7F7F7',
  '#FDDBC7',
  '#F4A582',
  '#D6604D',
  '#B2182B',
];

/** Tol's YlOrBr, for sequential values (distances, mean spend). */
export const SEQUENTIAL = [
  '#FFFFE5',
  '#FFF7BC',
  '#FEE391',
  '#FEC44F',
  '#FB9A29',
  '#EC7014',
  '#CC4C02',
  '#993404',
  '#662506',
];
