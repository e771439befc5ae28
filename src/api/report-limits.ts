/**
 * What the report cannot show yet, alone in a module so that the public API exports it without
 * loading the report code (issue 15). The charts index segments 0 … k − 1; DBSCAN's noise (−1) is
 * not charted yet.
 */
export const DBSCAN_REPORT =
  '--report: not available for --algorithm dbscan yet (its noise rows, segment -1, are not charted); use --output and --profile-output';
