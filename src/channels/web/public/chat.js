// Candor's chat widget: plain browser JavaScript, no build step. Every piece of text from the
// customer, the bot or an agent is put on the page with textContent, never as HTML.
'use strict';

(function startChatWidget() {
  const STRINGS = window.CANDOR_STRINGS;
  const TOPIC_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  const MAX_TEXT_CHARS = 2000;
  const MAX_BACKOFF_MS = 30000;
  const TYPING_TIMEOUT_MS = 15000;

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
    seen: new Set(),
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
      const hello = { type: 'hello', locale: state.locale };
      if (!state.hasStarted) {
        hello.start = true;
        if (state.topic) hello.topic = state.topic;
        state.hasStarted = true;
      }
      socket.send(JSON.stringify(hello));
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
      if (event.code === 1009) showNotice(noticeText('text_too_long'));
      if (!wasOpen && state.token) {
        checkToken().then((isValid) => (isValid ? scheduleReconnect() : stopForExpiredToken()));
        return;
      }
      scheduleReconnect();
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
    } else if (frame.type === 'message') {
      receiveReply(frame);
    } else if (frame.type === 'typing') {
      showTyping();
    } else if (frame.type === 'error') {
      hideTyping();
      showNotice(noticeText(String(frame.code), typeof frame.text === 'string' ? frame.text : ''));
    }
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
    hideTyping();
    if (typeof reply.agentName === 'string' && reply.agentName) state.agentName = reply.agentName;
    if (typeof reply.state === 'string') elements.chat.setAttribute('data-state', reply.state);
    if (reply.event) renderEvent(reply);
    if (typeof reply.text === 'string' && reply.text !== '') renderMessage(reply.from === 'agent' ? 'agent' : 'bot', reply.text, reply);
    renderSuggestions(Array.isArray(reply.suggestions) ? reply.suggestions : []);
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

  function renderMessage(author, text, reply) {
    const item = document.createElement('div');
    item.className = 'message message-' + author;
    item.setAttribute('data-author', author);
    const label = document.createElement('span');
    label.className = 'message-author';
    label.textContent = author === 'customer' ? t('you') : author === 'agent' ? (reply.agentName || t('agent')) : t('bot');
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
    elements.messages.append(item);
    // A long answer is shown from its first line, not its last.
    if (item.offsetHeight > elements.messages.clientHeight) elements.messages.scrollTop = item.offsetTop - elements.messages.offsetTop - 8;
    else scrollToEnd();
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

  function renderSuggestions(suggestions) {
    elements.suggestions.replaceChildren();
    for (const suggestion of suggestions) {
      if (!suggestion || typeof suggestion.label !== 'string') continue;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'suggestion';
      button.textContent = suggestion.label;
      button.addEventListener('click', () => {
        const topic = typeof suggestion.topic === 'string' && TOPIC_PATTERN.test(suggestion.topic) ? suggestion.topic : null;
        sendMessage(typeof suggestion.text === 'string' ? suggestion.text : suggestion.label, topic);
        elements.input.focus();
      });
      elements.suggestions.append(button);
    }
  }

  function showTyping() {
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
    renderSuggestions([]);
    renderMessage('customer', trimmed, null);
    const frame = { type: 'message', id: newMessageId(), text: trimmed, locale: state.locale };
    if (topic) frame.topic = topic;
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
