/**
 * The notices of one API call: kept for its result (`notices`, `stats.notices`) and passed on to
 * the caller's `onNotice` as they come.
 */
export function noticeCollector(onNotice: ((message: string) => void) | undefined): {
  notices: string[];
  notice: (message: string) => void;
} {
  const notices: string[] = [];
  return {
    notices,
    notice: (message) => {
      notices.push(message);
      onNotice?.(message);
    },
  };
}

/** A mixture fit whose components lost all their rows says so (in memory and out of core alike). */
export function emptyComponentsNotice(count: number): string {
  return `${count} mixture component${count === 1 ? '' : 's'} lost all their rows (weight below one row); they stay in the model with a weight near 0`;
}
