import { renderMessage, type Message, type Naming } from '../errors.js';

/**
 * A notice (something the caller may want to know that does not stop the work), written once for
 * both readers as errors are (errors.ts, Message): `message` names API options (`sampleRows`),
 * `messageFor('flag')` the CLI's flags (`--sample-rows`).
 */
export class Notice {
  readonly message: string;
  readonly #message: Message;
  constructor(message: Message) {
    this.#message = message;
    this.message = renderMessage(message, 'option');
  }
  messageFor(naming: Naming): string {
    return renderMessage(this.#message, naming);
  }
}

/**
 * A caller's `onNotice`: given each notice's text (options named as the API does) and the notice,
 * for a caller that names options otherwise (the CLI prints `notice.messageFor('flag')`).
 */
export type NoticeListener = (message: string, notice: Notice) => void;

/** Where the API's code sends a notice: a plain text, or one that names options. */
export type NoticeSink = (message: Message | Notice) => void;

/** A notice of either kind as a Notice. */
export function toNotice(message: Message | Notice): Notice {
  return message instanceof Notice ? message : new Notice(message);
}

/**
 * The notices of one API call: kept for its result (`notices`, `stats.notices`, as the API names
 * options) and passed on to the caller's `onNotice` as they come.
 */
export function noticeCollector(onNotice: NoticeListener | undefined): {
  notices: string[];
  notice: NoticeSink;
} {
  const notices: string[] = [];
  return {
    notices,
    notice: (message) => {
      const n = toNotice(message);
      notices.push(n.message);
      onNotice?.(n.message, n);
    },
  };
}

/** A mixture fit whose components lost all their rows says so (in memory and out of core alike). */
export function emptyComponentsNotice(count: number): string {
  return `${count} mixture component${count === 1 ? '' : 's'} lost all their rows (weight below one row); they stay in the model with a weight near 0`;
}
