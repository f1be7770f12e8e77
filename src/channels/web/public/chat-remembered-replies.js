// The replies this tab remembers: only what the stored transcript lacks (links, suggestions, act,
// agent name), kept in sessionStorage so a reload shows them again.

/** Replies whose links, suggestions and agent name this tab remembers, so a reload shows them again. */
const MAX_REMEMBERED_REPLIES = 50;

/** Reads the replies this tab remembered before a reload, by reply id, oldest first. */
export function loadRememberedReplies() {
  try {
    const saved = JSON.parse(sessionStorage.getItem('candor.replies') || '[]');
    return new Map(Array.isArray(saved) ? saved : []);
  } catch {
    return new Map();
  }
}

/** Remembers a reply's extras in `remembered` (the newest last) and saves them for this tab. */
export function rememberReply(remembered, reply) {
  const extras = { act: reply.act, state: reply.state, links: reply.links, suggestions: reply.suggestions, agentName: reply.agentName };
  remembered.delete(reply.id);
  remembered.set(reply.id, extras);
  while (remembered.size > MAX_REMEMBERED_REPLIES) remembered.delete(remembered.keys().next().value);
  try {
    sessionStorage.setItem('candor.replies', JSON.stringify(Array.from(remembered)));
  } catch {
    // A full or disabled storage only costs the links after a reload.
  }
}
