import type { Locale } from '../locale.js';

/** How a follow-up names one of the reasons (or choices) it refers to, if it names one. */
export type ReasonReference =
  /** By position, from 1: "the second one", "#2", "第二个", or a bare "2". */
  | { kind: 'position'; position: number }
  /** "the last one", "最后一个". */
  | { kind: 'last' }
  /** By what it is about ("the utilisation one"): the codes whose aliases the text mentions, in the order mentioned. */
  | { kind: 'topic'; codes: string[] }
  /** A question about something that is none of the reasons' aliases ("the X one, what is that?"). */
  | { kind: 'unmatched' }
  /** Nothing named: a bare "why?", "how come", "为啥". */
  | { kind: 'none' };

/** Reads which reason or offered choice a customer's message refers to; pure and synchronous. */
export interface ReasonReferenceReader {
  read(text: string, locale: Locale): ReasonReference;
}
