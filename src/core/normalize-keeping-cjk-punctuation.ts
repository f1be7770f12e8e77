/**
 * Chinese sentence punctuation that NFKC would flatten to ASCII: full-width ！（），：；？～ and the
 * ellipsis …. Written Chinese uses these forms (。、“”‘’《》 and the rest have no compatibility
 * mapping, so NFKC keeps them already). Full-width forms that can join or hide personal data
 * (digits, letters, ＠, －, ．) are not in the list: they are still folded.
 */
const CJK_PUNCTUATION = /([\uFF01\uFF08\uFF09\uFF0C\uFF1A\uFF1B\uFF1F\uFF5E\u2026]+)/u;

/**
 * NFKC-normalises text (full-width letters, digits and symbols become ASCII) but keeps Chinese
 * punctuation as written, so a customer's "你好，请问？" reaches the transcript, the agent and the
 * audit as they typed it.
 */
export function normalizeKeepingCjkPunctuation(text: string): string {
  // split() with a capturing group alternates: text, punctuation, text, …; only the text parts are folded.
  return text
    .split(CJK_PUNCTUATION)
    .map((part, index) => (index % 2 === 1 ? part : part.normalize('NFKC')))
    .join('');
}
