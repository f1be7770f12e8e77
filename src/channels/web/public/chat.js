// Candor's chat widget: plain browser JavaScript, no build step. Every piece of text from the
// customer, the bot or an agent is put on the page with textContent, never as HTML.
'use strict';

(function startChatWidget() {
  const STRINGS = window.CANDOR_STRINGS;
  const TOPIC_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  const MAX_TEXT_CHARS = 2000;
  const MAX_BACKOFF_MS = 30000;
  const TYPING_TIMEOUT_MS = 15000;
  /** Refusals worth trying again as they are; a message too long or unreadable has to be changed instead. */
  const RETRYABLE_CODES = ['rate_limited', 'busy', 'generic'];
  /** Replies whose links, suggestions and agent name this tab remembers, so a reload shows them again. */
  const MAX_REMEMBERED_REPLIES = 50;
  const RATING_PATTERN = /^[1-5]$/;
  // The server closes a signed-in socket with this code when its token expires.
  const TOKEN_EXPIRED_CLOSE_CODE = 4001;
  const TOKEN_REFRESH_PATH = '/chat/token/refresh';

  const elements = {
    chat: document.getElementById('chat'),
    status: document.getElementById('status'),
    identity: document.getElementById('identity'),
    notice: document.getElementById('notice'),
    noticeText: document.getElementById('notice-text'),
    noticeActions: document.getElementById('notice-actions'),
    messages: document.getElementById('messages'),
    typing: document.getElementById('typing'),
    suggestions: document.getElementById('suggestions'),
    form: document.getElementById('composer'),
    input: document.getElementById('input'),
    send: document.getElementById('send'),
    langToggle: document.getElementById('lang-toggle'),
  };

  const params = new URLSearchParams(window.location.search);
  const state = {
    locale: pickLocale(),
    token: takeToken(),
    resume: sessionStorage.getItem('candor.resume'),
    topic: TOPIC_PATTERN.test(params.get('topic') || '') ? params.get('topic') : null,
    socket: null,
    isOpen: false,
    hasStarted: false,
    attempts: 0,
    reconnectTimer: null,
    typingTimer: null,
    outbox: [],
    /** Customer messages sent or queued and not yet confirmed, by client id: { frame, item }. */
    unconfirmed: new Map(),
    /** Customer messages the server refused, by client id: the frame to send again on retry. */
    refused: new Map(),
    /** Client ids of the customer messages this page shows, so the history does not repeat them. */
    ownIds: new Set(),
    /** Reply and history ids already shown. */
    seen: new Set(),
    remembered: loadRememberedReplies(),
    notices: {},
    agentName: null,
    stopped: false,
  };

  function pickLocale() {
    const requested = params.get('lang') || params.get('locale');
    if (requested === 'en' || requested === 'zh-CN') return requested;
    const saved = sessionStorage.getItem('candor.locale');
    if (saved === 'en' || saved === 'zh-CN') return saved;
    return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  }

  // The token arrives in the fragment (never sent to a server or a Referer), then lives in this tab only.
  function takeToken() {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const fromFragment = fragment.get('token');
    if (fromFragment) {
      sessionStorage.setItem('candor.token', fromFragment);
      sessionStorage.removeItem('candor.resume');
      history.replaceState(null, '', window.location.pathname + window.location.search);
      return fromFragment;
    }
    return sessionStorage.getItem('candor.token');
  }

  function loadRememberedReplies() {
    try {
      const saved = JSON.parse(sessionStorage.getItem('candor.replies') || '[]');
      return new Map(Array.isArray(saved) ? saved : []);
    } catch {
      return new Map();
    }
  }

  // Only what the stored transcript lacks (links, suggestions, act, agent name), and only in this tab.
  function rememberReply(reply) {
    const extras = { act: reply.act, state: reply.state, links: reply.links, suggestions: reply.suggestions, agentName: reply.agentName };
    state.remembered.delete(reply.id);
    state.remembered.set(reply.id, extras);
    while (state.remembered.size > MAX_REMEMBERED_REPLIES) state.remembered.delete(state.remembered.keys().next().value);
    try {
      sessionStorage.setItem('candor.replies', JSON.stringify(Array.from(state.remembered)));
    } catch {
      // A full or disabled storage only costs the links after a reload.
    }
  }

  function t(key, values) {
    const table = STRINGS[state.locale] || STRINGS.en;
    let text = table[key] !== undefined ? table[key] : STRINGS.en[key];
    if (values) {
      for (const name of Object.keys(values)) text = text.split('{' + name + '}').join(values[name]);
    }
    return text;
  }

  function noticeText(code, serverText) {
    if (serverText) return serverText;
    if (state.notices[code]) return state.notices[code];
    const fallback = (STRINGS[state.locale] || STRINGS.en).fallbackNotices;
    return fallback[code] || fallback.generic;
  }

  function applyStrings() {
    document.documentElement.lang = t('htmlLang');
    document.title = t('title');
    for (const node of document.querySelectorAll('[data-i18n]')) {
      if (node.id !== 'status') node.textContent = t(node.getAttribute('data-i18n'));
    }
    elements.input.placeholder = t('placeholder');
    elements.messages.setAttribute('aria-label', t('conversation'));
    elements.suggestions.setAttribute('aria-label', t('suggestionsLabel'));
    elements.langToggle.textContent = t('otherLanguage');
    elements.langToggle.setAttribute('aria-label', t('otherLanguageName'));
    elements.langToggle.lang = state.locale === 'en' ? 'zh-CN' : 'en';
    for (const time of elements.messages.querySelectorAll('time[datetime]')) time.textContent = formatTime(time.getAttribute('datetime'));
    for (const item of elements.messages.querySelectorAll('.message-customer[data-status]')) renderStatus(item);
    relabelSuggestions();
    renderConnection();
  }

  function loadNotices() {
    fetch('/chat/notices?locale=' + encodeURIComponent(state.locale))
      .then((response) => (response.ok ? response.json() : null))
      .then((body) => {
        if (body && body.notices && typeof body.notices === 'object') state.notices = body.notices;
      })
      .catch(() => undefined);
  }

  function renderConnection() {
    const connection = elements.chat.getAttribute('data-connection');
    if (connection === 'online') elements.status.textContent = describeState();
    else if (connection === 'reconnecting') elements.status.textContent = t('reconnecting');
    else if (connection === 'stopped') elements.status.textContent = '';
    else elements.status.textContent = t('connecting');
  }

  function describeState() {
    const conversationState = elements.chat.getAttribute('data-state');
    if (conversationState === 'queued') return t('stateQueued');
    if (conversationState === 'claimed') return t('stateClaimed', { name: state.agentName || t('agent') });
    return t('stateBot');
  }

  function setConnection(value) {
    elements.chat.setAttribute('data-connection', value);
    renderConnection();
  }

  function showNotice(text, actions) {
    elements.noticeText.textContent = text;
    elements.noticeActions.replaceChildren();
    for (const action of actions || []) elements.noticeActions.append(action);
    elements.notice.hidden = false;
  }

  function hideNotice() {
    elements.notice.hidden = true;
    elements.noticeText.textContent = '';
    elements.noticeActions.replaceChildren();
  }

  function socketUrl() {
    const url = new URL('/chat/socket', window.location.href);
    url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (state.token) url.searchParams.set('token', state.token);
    else if (state.resume) url.searchParams.set('resume', state.resume);
    url.searchParams.set('locale', state.locale);
    return url.toString();
  }

  function connect() {
    if (state.stopped) return;
    state.reconnectTimer = null;
    setConnection(state.attempts === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(socketUrl());
    state.socket = socket;
    socket.addEventListener('open', () => {
      state.isOpen = true;
      state.attempts = 0;
      setConnection('online');
      // The chat is started (greeting or deep-link topic) once the history says whether it is new.
      socket.send(JSON.stringify({ type: 'hello', locale: state.locale }));
      flushOutbox();
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame === 'object') handleFrame(frame);
    });
    socket.addEventListener('close', (event) => {
      const wasOpen = state.isOpen;
      state.isOpen = false;
      state.socket = null;
      hideTyping();
      requeueUnconfirmed(event.code === 1009);
      if (event.code === 1009) showNotice(noticeText('text_too_long'));
      if (event.code === TOKEN_EXPIRED_CLOSE_CODE && state.token) {
        // Unconfirmed messages are already queued again above; they go out on the renewed socket.
        reauthenticate();
        return;
      }
      if (!wasOpen && state.token) {
        checkToken().then((isValid) => (isValid ? scheduleReconnect() : reauthenticate()));
        return;
      }
      scheduleReconnect();
    });
  }

  // Gets a fresh token for the same customer (the host site's sign-in, or the demo session) and
  // reconnects at once; the replies kept while away arrive on the new socket. Without one, ask the customer.
  function reauthenticate() {
    if (state.stopped) return;
    setConnection('reconnecting');
    fetch(TOKEN_REFRESH_PATH, { method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(
        (response) => (response.ok ? response.json().catch(() => null) : null),
        () => undefined,
      )
      .then((body) => {
        if (body === undefined) {
          // Offline: try again later, as a reconnect would.
          const delay = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, state.attempts));
          state.attempts += 1;
          setTimeout(reauthenticate, delay);
          return;
        }
        if (!body || typeof body.token !== 'string' || body.token === '' || body.token === state.token) {
          stopForExpiredToken();
          return;
        }
        state.token = body.token;
        sessionStorage.setItem('candor.token', body.token);
        state.attempts = 0;
        connect();
      });
  }

  // A refused upgrade is invisible to the browser's WebSocket, so ask the server whether the token is still good.
  function checkToken() {
    return fetch('/chat/token-check', { headers: { Authorization: 'Bearer ' + state.token } })
      .then((response) => response.status !== 401)
      .catch(() => true);
  }

  function stopForExpiredToken() {
    state.stopped = true;
    setConnection('stopped');
    const guest = document.createElement('button');
    guest.type = 'button';
    guest.textContent = t('continueAsGuest');
    guest.addEventListener('click', () => {
      sessionStorage.removeItem('candor.token');
      state.token = null;
      state.stopped = false;
      hideNotice();
      renderIdentity(true);
      connect();
    });
    const demo = document.createElement('a');
    demo.href = '/demo?lang=' + encodeURIComponent(state.locale);
    demo.textContent = t('chooseDemoCustomer');
    showNotice(noticeText('unauthorized'), [guest, demo]);
    guest.focus();
  }

  function scheduleReconnect() {
    if (state.stopped || state.reconnectTimer !== null) return;
    setConnection('reconnecting');
    const base = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, state.attempts));
    const delay = base / 2 + Math.random() * (base / 2);
    state.attempts += 1;
    state.reconnectTimer = setTimeout(connect, delay);
  }

  function handleFrame(frame) {
    if (frame.type === 'session') {
      if (typeof frame.resume === 'string') {
        state.resume = frame.resume;
        sessionStorage.setItem('candor.resume', frame.resume);
      }
      renderIdentity(frame.anonymous === true);
    } else if (frame.type === 'history') {
      receiveHistory(Array.isArray(frame.messages) ? frame.messages : []);
    } else if (frame.type === 'message') {
      receiveReply(frame);
    } else if (frame.type === 'typing') {
      showTyping(frame);
    } else if (frame.type === 'delivered') {
      if (typeof frame.id === 'string') confirmMessage(frame.id);
    } else if (frame.type === 'error') {
      hideTyping();
      if (typeof frame.id === 'string') refuseMessage(frame.id, String(frame.code));
      showNotice(noticeText(String(frame.code), typeof frame.text === 'string' ? frame.text : ''));
    }
  }

  // The conversation so far, from the server's store: shown once (the page may already show part of it).
  function receiveHistory(entries) {
    elements.messages.setAttribute('data-history', 'loaded');
    let last = null;
    for (const entry of entries) {
      if (!entry || typeof entry.id !== 'string' || typeof entry.text !== 'string') continue;
      const from = entry.from === 'customer' || entry.from === 'agent' ? entry.from : 'bot';
      const clientId = typeof entry.clientId === 'string' ? entry.clientId : null;
      if (clientId !== null && state.unconfirmed.has(clientId)) confirmMessage(clientId);
      if (state.seen.has(entry.id) || (clientId !== null && state.ownIds.has(clientId))) continue;
      state.seen.add(entry.id);
      if (clientId !== null) state.ownIds.add(clientId);
      const extras = from === 'customer' ? null : state.remembered.get(entry.id) || null;
      const item = renderMessage(from, entry.text, extras, entry.createdAt);
      if (from === 'customer') setStatus(item, 'delivered');
      last = { from: from, extras: extras };
    }
    if (last !== null) {
      const extras = last.from === 'customer' ? null : last.extras;
      if (extras && typeof extras.agentName === 'string') state.agentName = extras.agentName;
      if (extras && typeof extras.state === 'string') elements.chat.setAttribute('data-state', extras.state);
      renderSuggestions(extras && Array.isArray(extras.suggestions) ? extras.suggestions : [], extras ? extras.act : null);
      renderConnection();
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

  function renderIdentity(isAnonymous) {
    elements.identity.hidden = false;
    elements.identity.textContent = isAnonymous ? t('anonymous') : t('signedIn');
    elements.identity.setAttribute('data-anonymous', String(isAnonymous));
    elements.identity.setAttribute('data-i18n', isAnonymous ? 'anonymous' : 'signedIn');
  }

  function receiveReply(reply) {
    if (typeof reply.id !== 'string') return;
    acknowledge(reply.id);
    if (state.seen.has(reply.id)) return;
    state.seen.add(reply.id);
    rememberReply(reply);
    hideTyping();
    if (typeof reply.agentName === 'string' && reply.agentName) state.agentName = reply.agentName;
    if (typeof reply.state === 'string') elements.chat.setAttribute('data-state', reply.state);
    if (reply.event) renderEvent(reply);
    if (typeof reply.text === 'string' && reply.text !== '') renderMessage(reply.from === 'agent' ? 'agent' : 'bot', reply.text, reply, reply.createdAt);
    renderSuggestions(Array.isArray(reply.suggestions) ? reply.suggestions : [], reply.act);
    renderConnection();
  }

  function acknowledge(id) {
    if (state.socket && state.isOpen) state.socket.send(JSON.stringify({ type: 'ack', id: id }));
  }

  function renderEvent(reply) {
    const name = state.agentName || t('agent');
    const texts = {
      agent_joined: t('agentJoined', { name: name }),
      agent_left: t('agentLeft', { name: name }),
      bot_back: t('botBack'),
      queued: t('stateQueued'),
      resolved: t('resolved'),
    };
    const text = texts[reply.event];
    if (!text) return;
    const line = document.createElement('p');
    line.className = 'event';
    line.setAttribute('data-event', reply.event);
    line.textContent = text;
    elements.messages.append(line);
    scrollToEnd();
  }

  function renderMessage(author, text, reply, createdAt) {
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

  // A customer message is sending (on its way or queued offline), delivered (stored by the server), or not sent.
  function setStatus(item, status, code) {
    item.setAttribute('data-status', status);
    if (code) item.setAttribute('data-refused', code);
    else item.removeAttribute('data-refused');
    renderStatus(item);
  }

  function renderStatus(item) {
    const meta = item.querySelector('.message-meta');
    let status = meta.querySelector('.message-status');
    if (!status) {
      status = document.createElement('span');
      status.className = 'message-status';
      meta.append(status);
    }
    const value = item.getAttribute('data-status');
    status.textContent = value === 'delivered' ? t('delivered') : value === 'failed' ? t('notSent') : t('sending');
    const oldRetry = meta.querySelector('.message-retry');
    if (oldRetry) oldRetry.remove();
    const clientId = item.getAttribute('data-client-id');
    if (value === 'failed' && RETRYABLE_CODES.includes(item.getAttribute('data-refused')) && clientId) {
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.className = 'message-retry';
      retry.textContent = t('retry');
      retry.addEventListener('click', () => retryMessage(item, clientId));
      meta.append(retry);
    }
  }

  function confirmMessage(clientId) {
    const pending = state.unconfirmed.get(clientId);
    if (!pending) return;
    state.unconfirmed.delete(clientId);
    setStatus(pending.item, 'delivered');
  }

  function refuseMessage(clientId, code) {
    const pending = state.unconfirmed.get(clientId);
    if (!pending) return;
    state.unconfirmed.delete(clientId);
    state.outbox = state.outbox.filter((frame) => frame.id !== clientId);
    state.refused.set(clientId, pending.frame);
    setStatus(pending.item, 'failed', code);
  }

  function retryMessage(item, clientId) {
    const frame = state.refused.get(clientId);
    if (!frame) return;
    state.refused.delete(clientId);
    hideNotice();
    state.unconfirmed.set(clientId, { frame: frame, item: item });
    setStatus(item, 'sending');
    state.outbox.push(frame);
    flushOutbox();
    elements.input.focus();
  }

  // Messages that left on a socket that closed unconfirmed are sent again on the next one: the server
  // stores a message once per client id, so a resend of one it already has is only confirmed. After a
  // 1009 (a frame over the size limit) they are marked not sent instead: one of them cannot go as it is.
  function requeueUnconfirmed(wasTooLarge) {
    const queued = new Set(state.outbox.map((frame) => frame.id));
    for (const [clientId, pending] of state.unconfirmed) {
      if (queued.has(clientId)) continue;
      if (wasTooLarge) {
        state.unconfirmed.delete(clientId);
        setStatus(pending.item, 'failed', 'text_too_long');
      } else {
        state.outbox.push(pending.frame);
      }
    }
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

  // Quick replies; a clarifying question's choices; or, when a rating is asked for, five stars.
  function renderSuggestions(suggestions, act) {
    elements.suggestions.replaceChildren();
    const valid = suggestions.filter((suggestion) => suggestion && typeof suggestion.label === 'string');
    const isRating = act === 'rating' && valid.length > 0 && valid.every((suggestion) => RATING_PATTERN.test(textOf(suggestion)));
    const kind = isRating ? 'rating' : act === 'clarify' && valid.length > 0 ? 'clarify' : 'suggestions';
    elements.suggestions.setAttribute('data-kind', kind);
    for (const suggestion of valid) {
      const button = document.createElement('button');
      button.type = 'button';
      if (isRating) {
        const value = Number(textOf(suggestion));
        button.className = 'rating-star';
        button.setAttribute('data-value', String(value));
        const star = document.createElement('span');
        star.className = 'rating-glyph';
        star.setAttribute('aria-hidden', 'true');
        star.textContent = '★';
        const number = document.createElement('span');
        number.className = 'rating-number';
        number.textContent = String(value);
        button.append(star, number);
        button.addEventListener('pointerenter', () => lightStars(value));
        button.addEventListener('focus', () => lightStars(value));
        button.addEventListener('pointerleave', () => lightStars(0));
        button.addEventListener('blur', () => lightStars(0));
      } else {
        button.className = kind === 'clarify' ? 'suggestion choice' : 'suggestion';
        button.textContent = suggestion.label;
      }
      button.addEventListener('click', () => {
        const topic = typeof suggestion.topic === 'string' && TOPIC_PATTERN.test(suggestion.topic) ? suggestion.topic : null;
        sendMessage(textOf(suggestion), topic);
        elements.input.focus();
      });
      elements.suggestions.append(button);
    }
    relabelSuggestions();
  }

  function textOf(suggestion) {
    return typeof suggestion.text === 'string' ? suggestion.text : suggestion.label;
  }

  function relabelSuggestions() {
    const kind = elements.suggestions.getAttribute('data-kind');
    elements.suggestions.setAttribute('aria-label', t(kind === 'rating' ? 'ratingLabel' : kind === 'clarify' ? 'choicesLabel' : 'suggestionsLabel'));
    for (const star of elements.suggestions.querySelectorAll('.rating-star')) {
      star.setAttribute('aria-label', t('rateValue', { n: star.getAttribute('data-value') }));
    }
  }

  function lightStars(upTo) {
    for (const star of elements.suggestions.querySelectorAll('.rating-star')) {
      star.toggleAttribute('data-lit', Number(star.getAttribute('data-value')) <= upTo);
    }
  }

  function showTyping(frame) {
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

  function newMessageId() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID().replace(/-/g, '');
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function sendMessage(text, topic) {
    const trimmed = text.trim();
    if (trimmed === '' && !topic) return;
    if (Array.from(trimmed).length > MAX_TEXT_CHARS) {
      showNotice(noticeText('text_too_long'));
      return;
    }
    hideNotice();
    renderSuggestions([], null);
    const frame = { type: 'message', id: newMessageId(), text: trimmed, locale: state.locale };
    if (topic) frame.topic = topic;
    const item = renderMessage('customer', trimmed, null, null);
    item.setAttribute('data-client-id', frame.id);
    state.ownIds.add(frame.id);
    state.unconfirmed.set(frame.id, { frame: frame, item: item });
    setStatus(item, 'sending');
    state.outbox.push(frame);
    flushOutbox();
  }

  function flushOutbox() {
    while (state.socket && state.isOpen && state.outbox.length > 0) {
      state.socket.send(JSON.stringify(state.outbox.shift()));
    }
  }

  elements.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = elements.input.value;
    elements.input.value = '';
    sendMessage(text, null);
    elements.input.focus();
  });

  elements.input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      elements.form.requestSubmit();
    }
  });

  elements.langToggle.addEventListener('click', () => {
    state.locale = state.locale === 'en' ? 'zh-CN' : 'en';
    sessionStorage.setItem('candor.locale', state.locale);
    applyStrings();
    const identity = elements.identity.getAttribute('data-i18n');
    if (identity) elements.identity.textContent = t(identity);
    loadNotices();
    if (state.socket && state.isOpen) state.socket.send(JSON.stringify({ type: 'hello', locale: state.locale }));
  });

  sessionStorage.setItem('candor.locale', state.locale);
  applyStrings();
  loadNotices();
  connect();
  elements.input.focus();
})();
