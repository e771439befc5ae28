/**
 * The synthetic customers' personas (synth/customers.ts draws from them): data, in a module of its
 * own so that the public API exports them without loading Arrow (issue 15).
 */
export interface Persona {
  name: string;
  share: number;
  /** Means of the per-persona distributions. */
  recencyDays: number;
  frequency: number;
  orderValue: number;
  tenureDays: number;
  returnRate: number;
  sessionsPerMonth: number;
  emailOpenRate: number;
  discountShare: number;
}

export const PERSONAS: readonly Persona[] = [
  {
    name: 'Champions',
    share: 0.12,
    recencyDays: 8,
    frequency: 24,
    orderValue: 120,
    tenureDays: 900,
    returnRate: 0.02,
    sessionsPerMonth: 14,
    emailOpenRate: 0.6,
    discountShare: 0.1,
  },
  {
    name: 'Loyal',
    share: 0.18,
    recencyDays: 25,
    frequency: 12,
    orderValue: 70,
    tenureDays: 700,
    returnRate: 0.03,
    sessionsPerMonth: 8,
    emailOpenRate: 0.45,
    discountShare: 0.15,
  },
  {
    name: 'Big Spenders',
    share: 0.08,
    recencyDays: 45,
    frequency: 4,
    orderValue: 600,
    tenureDays: 500,
    returnRate: 0.05,
    sessionsPerMonth: 3,
    emailOpenRate: 0.3,
    discountShare: 0.05,
  },
  {
    name: 'Promising',
    share: 0.17,
    recencyDays: 12,
    frequency: 2,
    orderValue: 50,
    tenureDays: 40,
    returnRate: 0.04,
    sessionsPerMonth: 6,
    emailOpenRate: 0.5,
    discountShare: 0.25,
  },
  {
    name: 'Bargain Hunters',
    share: 0.1,
    recencyDays: 35,
    frequency: 7,
    orderValue: 25,
    tenureDays: 400,
    returnRate: 0.08,
    sessionsPerMonth: 9,
    emailOpenRate: 0.55,
    discountShare: 0.75,
  },
  {
    name: 'At Risk',
    share: 0.15,
    recencyDays: 160,
    frequency: 9,
    orderValue: 80,
    tenureDays: 800,
    returnRate: 0.06,
    sessionsPerMonth: 1.5,
    emailOpenRate: 0.15,
    discountShare: 0.2,
  },
  {
    name: 'Hibernating',
    share: 0.2,
    recencyDays: 320,
    frequency: 1.5,
    orderValue: 35,
    tenureDays: 600,
    returnRate: 0.1,
    sessionsPerMonth: 0.3,
    emailOpenRate: 0.05,
    discountShare: 0.2,
  },
];
