/**
 * The notices of one API call: kept for its result (`notices`, `stats.notices`) and passed on to
 * the caller's `onNotice` as they come.
 */
export function noticeCollector(onNotice: ((message: string) => void) | undefined): { notices: string[]; notice: (message: string) => void } {
  const notices: string[] = [];
  return {
    notices,
    notice: (message) => {
      notices.push(message);
      onNotice?.(message);
    },
  };
}
