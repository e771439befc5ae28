import { readFileSync } from 'node:fs';
import { InputError, subjectName, type Subject } from '../errors.js';
import { checkProfilesArgument, type Profiles } from './profile.js';
import { checkObjectArgument } from '../util/arguments.js';
import { PERSONA_RULES, type PersonaInputs } from './persona-rules.js';

export { PERSONA_RULES, type PersonaInputs, type PersonaRule } from './persona-rules.js';

/**
 * Persona names from a segment's RFM profile, by documented rules. Inputs are the segment's
 * z-scores (segment mean − population mean, in population standard deviations) of:
 *   r = −z(recency_days)   (positive: bought more recently than average)
 *   f = z(frequency), m = z(monetary), t = z(tenure_days) when present, d = z(discount) when a
 *   discount column exists.
 * A rule applies when its condition holds; its score ranks it. Names are handed out greedily,
 * highest score first, each name to one segment; a segment left over is named after its largest
 * deviation ('Segment 4: high return_rate'). A names file overrides any of them.
 */
export interface RfmColumns {
  recency: string;
  frequency: string;
  monetary: string;
  tenure?: string;
  discount?: string;
}

/** The RFM columns by their `gpuseg rfm` names, when the profiles have them. */
export function findRfmColumns(columns: readonly string[]): RfmColumns | undefined {
  const has = (c: string) => columns.includes(c);
  if (!has('recency_days') || !has('frequency') || !has('monetary')) return undefined;
  const discount = columns.find((c) => /discount|coupon|promo/i.test(c));
  return {
    recency: 'recency_days',
    frequency: 'frequency',
    monetary: 'monetary',
    tenure: has('tenure_days') ? 'tenure_days' : undefined,
    discount,
  };
}

export function personaNames(profiles: Profiles, rfm: RfmColumns): string[] {
  checkProfilesArgument(profiles);
  checkObjectArgument(rfm, 'rfm');
  const z = (segment: number, column: string | undefined): number | undefined => {
    if (column === undefined) return undefined;
    const c = profiles.segments[segment].columns.find((p) => p.column === column);
    return c?.zScore ?? 0;
  };
  const inputs: PersonaInputs[] = profiles.segments.map((s) => ({
    r: -(z(s.segment, rfm.recency) ?? 0),
    f: z(s.segment, rfm.frequency) ?? 0,
    m: z(s.segment, rfm.monetary) ?? 0,
    t: z(s.segment, rfm.tenure),
    d: z(s.segment, rfm.discount),
  }));
  const candidates: { segment: number; rule: number; score: number }[] = [];
  inputs.forEach((zz, segment) =>
    PERSONA_RULES.forEach((rule, r) => {
      if (profiles.segments[segment].size > 0 && rule.applies(zz))
        candidates.push({ segment, rule: r, score: rule.score(zz) });
    }),
  );
  candidates.sort((a, b) => b.score - a.score || a.segment - b.segment || a.rule - b.rule);
  const names: (string | undefined)[] = new Array(profiles.segments.length).fill(undefined);
  const used = new Set<number>();
  for (const c of candidates) {
    if (names[c.segment] !== undefined || used.has(c.rule)) continue;
    names[c.segment] = PERSONA_RULES[c.rule].name;
    used.add(c.rule);
  }
  return names.map((n, segment) => n ?? describeDeviation(profiles, segment));
}

/** 'Segment 4: high return_rate', after the column with the largest |z|. */
export function describeDeviation(profiles: Profiles, segment: number): string {
  const cols = profiles.segments[segment].columns.filter((c) => c.zScore !== null);
  if (cols.length === 0) return `Segment ${segment}`;
  const top = cols.reduce((a, b) => (Math.abs(b.zScore!) > Math.abs(a.zScore!) ? b : a));
  return `Segment ${segment}: ${top.zScore! >= 0 ? 'high' : 'low'} ${top.column}`;
}

/**
 * Names from a file: JSON (["VIP", ...] or {"0": "VIP", ...}) or CSV (segment_id,segment_name).
 * Returns the names to override by segment; checks ids and that names stay unique.
 */
export function readNamesFile(path: string, k: number): Map<number, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError((opt) => `${opt('names')} '${path}': file not found`, { cause: error });
  }
  const out = new Map<number, string>();
  if (/^\s*[[{]/.test(text)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InputError(
        (opt) => `${opt('names')} '${path}': not valid JSON (${(error as Error).message})`,
        {
          cause: error,
        },
      );
    }
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [String(i), v])
      : Object.entries(value as Record<string, unknown>);
    for (const [key, name] of entries) out.set(Number(key), String(name));
  } else {
    const lines = text.split(/\r?\n/).filter((l) => l.trim());
    const start = /segment/i.test(lines[0] ?? '') ? 1 : 0;
    for (const line of lines.slice(start)) {
      const at = line.indexOf(',');
      if (at < 0)
        throw new InputError(
          (opt) =>
            `${opt('names')} '${path}': expected 'segment_id,segment_name' lines, got '${line}'`,
        );
      out.set(
        Number(line.slice(0, at).trim()),
        line
          .slice(at + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      );
    }
  }
  for (const [id, name] of out) {
    if (!Number.isInteger(id) || id < 0 || id >= k)
      throw new InputError(
        (opt) => `${opt('names')} '${path}': segment id ${id} is not in 0..${k - 1}`,
      );
    if (name.trim() === '')
      throw new InputError((opt) => `${opt('names')} '${path}': segment ${id} has an empty name`);
  }
  return out;
}

/** Applies overrides and checks the result is unique. */
export function applyNameOverrides(
  names: string[],
  overrides: Map<number, string>,
  source: Subject,
): string[] {
  const out = names.map((n, i) => overrides.get(i) ?? n);
  const seen = new Map<string, number>();
  out.forEach((n, i) => {
    if (seen.has(n))
      throw new InputError(
        (opt) =>
          `${subjectName(source, opt)}: segments ${seen.get(n)} and ${i} would both be named '${n}'; names must be unique`,
      );
    seen.set(n, i);
  });
  return out;
}
