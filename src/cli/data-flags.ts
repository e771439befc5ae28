import type { DataOptions } from '../api/prepare.js';
import type { BackendChoice } from '../backend/select.js';

/** Raw commander values of the data and preprocessing flags (strings; the API checks and converts them). */
export interface DataFlags {
  features?: string;
  id?: string;
  profile?: string;
  impute?: string;
  imputeValue?: string;
  log?: string;
  clip?: string;
  clipFactor?: string;
  scale?: string;
  pca?: string;
  thousands?: string;
  backend?: BackendChoice;
}

/**
 * The API's data options from the flags. Values stay as typed on the command line: the API's
 * parameter checks convert them and name the flag when one is wrong.
 */
export function dataOptions(flags: DataFlags): DataOptions {
  const raw = (v: string | undefined): never => v as never;
  return {
    features: flags.features?.split(','),
    id: flags.id,
    profile: flags.profile?.split(','),
    impute: raw(flags.impute),
    imputeValue: raw(flags.imputeValue),
    log: flags.log?.split(','),
    clip: raw(flags.clip),
    clipFactor: raw(flags.clipFactor),
    scale: raw(flags.scale),
    pca: raw(flags.pca),
    thousands: raw(flags.thousands),
  };
}
