/** Options on every message Candor writes: no @-name linking, no unfurls, no server-side parsing of the text. */
export const SAFE_POST_OPTIONS = {
  link_names: false,
  unfurl_links: false,
  unfurl_media: false,
  parse: 'none',
} as const;

/** Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069), which can make text read in another order than it is. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** Removes bidirectional overrides and isolates, so text cannot be made to display reordered. */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

/** Escapes `&`, `<` and `>` so customer or agent text cannot form mentions (`<!channel>`), links or user references, and drops bidi overrides. */
export function escapeSlackText(text: string): string {
  return stripBidiControls(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes text and cuts it so the escaped form fits in `max` characters (a Block Kit text limit). */
export function escapeSlackTextWithin(text: string, max: number): string {
  let kept = text;
  let escaped = escapeSlackText(kept);
  while (escaped.length > max) {
    kept = truncateText(kept, Math.max(1, kept.length - (escaped.length - max)));
    escaped = escapeSlackText(kept);
  }
  return escaped;
}

/** Cuts text to at most `max` characters, marking the cut. */
export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Turns an agent's Slack-formatted message into plain text for the customer: links spelt out, mentions neutral, entities decoded. */
export function slackTextToPlain(text: string): string {
  const replaced = text.replace(/<([^<>]*)>/g, (_whole, inner: string) => {
    const [target = '', label] = inner.split('|', 2);
    if (target.startsWith('@') || target.startsWith('#') || target.startsWith('!')) return label ?? '';
    if (label !== undefined && label !== '' && label !== target) return `${label} (${target})`;
    return target.replace(/^mailto:/, '');
  });
  return replaced.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim();
}
