/**
 * The persona rules (segment/personas.ts names segments by them): data, in a module of its own so
 * that the public API exports them without loading the profile code (issue 15).
 */
export interface PersonaRule {
  name: string;
  description: string;
  applies: (z: PersonaInputs) => boolean;
  score: (z: PersonaInputs) => number;
}

export interface PersonaInputs {
  r: number;
  f: number;
  m: number;
  t: number | undefined;
  d: number | undefined;
}

const HIGH = 0.25;

export const PERSONA_RULES: readonly PersonaRule[] = [
  {
    name: 'Champions',
    description: 'recent, frequent and high-spending (r, f, m > 0.25)',
    applies: (z) => z.r > HIGH && z.f > HIGH && z.m > HIGH,
    score: (z) => z.r + z.f + z.m,
  },
  {
    name: 'Loyal',
    description: 'frequent and not lapsing (f > 0.25, r > −0.25)',
    applies: (z) => z.f > HIGH && z.r > -HIGH,
    score: (z) => z.f + z.r / 2,
  },
  {
    name: 'Big Spenders',
    description: 'high spend (m > 0.25)',
    applies: (z) => z.m > HIGH,
    score: (z) => z.m - z.f / 2,
  },
  {
    name: 'Bargain Hunters',
    description: 'heavy discount use (d > 0.5; needs a discount column)',
    applies: (z) => z.d !== undefined && z.d > 0.5,
    score: (z) => z.d ?? 0,
  },
  {
    name: 'Promising',
    description: 'recent but not yet frequent (r > 0.25, f ≤ 0.25)',
    applies: (z) => z.r > HIGH && z.f <= HIGH,
    score: (z) => z.r - z.f - (z.t ?? 0) / 2,
  },
  {
    name: 'At Risk',
    description: 'lapsing customers who used to buy often or much (r < −0.25, f > 0 or m > 0)',
    applies: (z) => z.r < -HIGH && (z.f > 0 || z.m > 0),
    score: (z) => -z.r + Math.max(z.f, z.m),
  },
  {
    name: 'Hibernating',
    description: 'long gone, rare and low-spending (r < −0.25, f ≤ 0, m ≤ 0)',
    applies: (z) => z.r < -HIGH && z.f <= 0 && z.m <= 0,
    score: (z) => -z.r - z.f - z.m,
  },
  {
    name: 'Need Attention',
    description: 'close to average on r, f and m',
    applies: () => true,
    score: (z) => -(Math.abs(z.r) + Math.abs(z.f) + Math.abs(z.m)),
  },
];
