// The conversation on the page: the stored history, replies from the bot or an agent, events (an agent
// joined, …), the typing line. Every piece of text is put on the page with textContent, never as HTML.
import { rememberReply } from './chat-remembered-replies.js';

const TYPING_TIMEOUT_MS = 15000;

/** Builds the rendering of the conversation for the widget. */
export function createMessages(widget) {
  const { elements, state } = widget;

  // The conversation so far, from the server's store: shown once (the page may already show part of it).
  function receiveHistory(entries) {
    elements.messages.setAttribute('data-history', 'loaded');
    let last = null;
    for (const entry of entries) {
      if (!entry || typeof entry.id !== 'string' || typeof entry.text !== 'string') continue;
      const from = entry.from === 'customer' || entry.from === 'agent' ? entry.from : 'bot';
      const clientId = typeof entry.clientId === 'string' ? entry.clientId : null;
      if (clientId !== null && state.unconfirmed.has(clientId)) widget.confirmMessage(clientId);
      if (state.seen.has(entry.id) || (clientId !== null && state.ownIds.has(clientId))) continue;
      state.seen.add(entry.id);
      if (clientId !== null) state.ownIds.add(clientId);
      const extras = from === 'customer' ? null : state.remembered.get(entry.id) || null;
      const item = renderMessage(from, entry.text, extras, entry.createdAt);
      if (from === 'customer') widget.setStatus(item, 'delivered');
      last = { from: from, extras: extras };
    }
    if (last !== null) {
      const extras = last.from === 'customer' ? null : last.extras;
      if (extras && typeof extras.agentName === 'string') state.agentName = extras.agentName;
      if (extras && typeof extras.state === 'string') elements.chat.setAttribute('data-state', extras.state);
      widget.renderSuggestions(extras && Array.isArray(extras.suggestions) ? extras.suggestions : [], extras ? extras.act : null);
      widget.renderConnection();
    }
    if (!state.hasStarted) {
      state.hasStarted = true;
      // A new conversation is greeted; a deep link opens its topic even in an old one, once (not again on reload).
      if (entries.length === 0 || state.topic) {
        const hello = { type: 'hello', locale: state.locale, start: true };
        if (state.topic) hello.topic = state.topic;
        if (state.socket && state.isOpen) state.socket.send(JSON.stringify(hello));
      }
      if (state.topic) forgetTopic();
    }
  }

  function forgetTopic() {
    state.topic = null;
    const search = new URLSearchParams(window.location.search);
    search.delete('topic');
    const query = search.toString();
    history.replaceState(null, '', window.location.pathname + (query ? '?' + query : ''));
  }

  function receiveReply(reply) {
    if (typeof reply.id !== 'string') return;
    acknowledge(reply.id);
    // A reply to the customer's message is its delivery receipt too.
    if (typeof reply.inReplyTo === 'string') widget.confirmMessage(reply.inReplyTo);
    if (state.seen.has(reply.id)) return;
    state.seen.add(reply.id);
    rememberReply(state.remembered, reply);
    hideTyping();
    if (typeof reply.agentName === 'string' && reply.agentName) state.agentName = reply.agentName;
    if (typeof reply.state === 'string') elements.chat.setAttribute('data-state', reply.state);
    const hasText = typeof reply.text === 'string' && reply.text !== '';
    // Candor's own words for an agent joining are the announcement: shown once, as the event line, not again as a message.
    const isAnnouncement = hasText && reply.event === 'agent_joined' && reply.from !== 'agent';
    if (reply.event) renderEvent(reply, isAnnouncement ? reply.text : null);
    if (hasText && !isAnnouncement) renderMessage(reply.from === 'agent' ? 'agent' : 'bot', reply.text, reply, reply.createdAt);
    widget.renderSuggestions(Array.isArray(reply.suggestions) ? reply.suggestions : [], reply.act);
    widget.renderConnection();
  }

  function acknowledge(id) {
    if (state.socket && state.isOpen) state.socket.send(JSON.stringify({ type: 'ack', id: id }));
  }

  // An event line: the server's own words when it sent them, else the widget's line for the event.
  function renderEvent(reply, serverText) {
    const t = widget.t;
    const name = state.agentName || t('agent');
    const texts = {
      agent_joined: t('agentJoined', { name: name }),
      agent_left: t('agentLeft', { name: name }),
      bot_back: t('botBack'),
      queued: t('stateQueued'),
      resolved: t('resolved'),
    };
    const text = serverText || texts[reply.event];
    if (!text || !texts[reply.event]) return;
    const line = document.createElement('p');
    line.className = 'event';
    line.setAttribute('data-event', reply.event);
    line.textContent = text;
    elements.messages.append(line);
    scrollToEnd();
  }

  function renderMessage(author, text, reply, createdAt) {
    const t = widget.t;
    const item = document.createElement('div');
    item.className = 'message message-' + author;
    item.setAttribute('data-author', author);
    const label = document.createElement('span');
    label.className = 'message-author';
    label.textContent = author === 'customer' ? t('you') : author === 'agent' ? (reply && reply.agentName) || t('agent') : t('bot');
    const body = document.createElement('p');
    body.className = 'message-text';
    body.textContent = text;
    item.append(label, body);
    const links = reply && Array.isArray(reply.links) ? reply.links.filter(isSafeLink) : [];
    if (links.length > 0) {
      const list = document.createElement('ul');
      list.className = 'message-links';
      list.setAttribute('aria-label', t('linksLabel'));
      for (const link of links) {
        const entry = document.createElement('li');
        const anchor = document.createElement('a');
        anchor.href = link.url;
        anchor.target = '_blank';
        anchor.rel = 'noopener noreferrer';
        anchor.textContent = String(link.label);
        entry.append(anchor);
        list.append(entry);
      }
      item.append(list);
    }
    const meta = document.createElement('p');
    meta.className = 'message-meta';
    const time = document.createElement('time');
    const when = typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) ? new Date(createdAt) : new Date();
    time.setAttribute('datetime', when.toISOString());
    time.textContent = formatTime(when.toISOString());
    meta.append(time);
    item.append(meta);
    elements.messages.append(item);
    // A long answer is shown from its first line, not its last.
    if (item.offsetHeight > elements.messages.clientHeight) elements.messages.scrollTop = item.offsetTop - elements.messages.offsetTop - 8;
    else scrollToEnd();
    return item;
  }

  // Today's messages show the time; older ones the date too.
  function formatTime(iso) {
    const date = new Date(iso);
    const isToday = date.toDateString() === new Date().toDateString();
    const options = isToday ? { hour: 'numeric', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' };
    return new Intl.DateTimeFormat(state.locale, options).format(date);
  }

  function isSafeLink(link) {
    if (!link || typeof link.url !== 'string') return false;
    if (link.url.startsWith('/') && !link.url.startsWith('//')) return true;
    try {
      const url = new URL(link.url);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }

  function showTyping(frame) {
    const t = widget.t;
    const isAgent = frame && frame.from === 'agent';
    elements.typing.textContent = isAgent ? t('agentTyping', { name: (typeof frame.agentName === 'string' && frame.agentName) || state.agentName || t('agent') }) : t('typing');
    elements.typing.setAttribute('data-from', isAgent ? 'agent' : 'bot');
    elements.typing.hidden = false;
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
  }

  function hideTyping() {
    clearTimeout(state.typingTimer);
    elements.typing.hidden = true;
  }

  function scrollToEnd() {
    elements.messages.scrollTop = elements.messages.scrollHeight;
  }

  return { receiveHistory, receiveReply, renderMessage, formatTime, showTyping, hideTyping };
}
