/** Options on every message Candor writes: no @-name linking, no unfurls, no server-side parsing of the text. */
export const SAFE_POST_OPTIONS = {
  link_names: false,
  unfurl_links: false,
  unfurl_media: false,
  parse: 'none',
} as const;

/** Escapes `&`, `<` and `>` so customer or agent text cannot form mentions (`<!channel>`), links or user references. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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
