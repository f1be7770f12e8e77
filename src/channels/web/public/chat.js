// Candor's chat widget: plain browser ES modules, no build step; loaded as a module after the classic
// script chat-strings.js (window.CANDOR_STRINGS). Every piece of text from the customer, the bot or an
// agent is put on the page with textContent, never as HTML. This file gathers the page's elements and
// the widget's state, wires the parts below together and starts the chat:
//   chat-text.js               the locale, strings and error notices
//   chat-status.js             the status line, the identity line and the notice
//   chat-connection.js         the websocket, reconnecting, and re-authenticating an expired token
//   chat-messages.js           history, replies, events and the typing line
//   chat-sending.js            the customer's messages, their receipts and retries
//   chat-suggestions.js        quick replies, choices and rating stars
//   chat-remembered-replies.js what this tab remembers of replies across a reload
import { createConnection, takeToken } from './chat-connection.js';
import { createMessages } from './chat-messages.js';
import { loadRememberedReplies } from './chat-remembered-replies.js';
import { createSending } from './chat-sending.js';
import { createStatus } from './chat-status.js';
import { createSuggestions, TOPIC_PATTERN } from './chat-suggestions.js';
import { createText, pickLocale } from './chat-text.js';

/** Starts the widget on chat.html: everything it keeps lives in this call, none at module level. */
function startChatWidget() {
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
    locale: pickLocale(params),
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

  // The parts call one another through this object, so each file needs only the parts it uses by name.
  const widget = { elements, state };
  Object.assign(
    widget,
    createText(widget),
    createStatus(widget),
    createConnection(widget),
    createMessages(widget),
    createSending(widget),
    createSuggestions(widget),
  );

  function applyStrings() {
    const t = widget.t;
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
    for (const time of elements.messages.querySelectorAll('time[datetime]')) time.textContent = widget.formatTime(time.getAttribute('datetime'));
    for (const item of elements.messages.querySelectorAll('.message-customer[data-status]')) widget.renderStatus(item);
    widget.relabelSuggestions();
    widget.renderConnection();
  }

  elements.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = elements.input.value;
    elements.input.value = '';
    widget.sendMessage(text, null);
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
    if (identity) elements.identity.textContent = widget.t(identity);
    widget.loadNotices();
    if (state.socket && state.isOpen) state.socket.send(JSON.stringify({ type: 'hello', locale: state.locale }));
  });

  sessionStorage.setItem('candor.locale', state.locale);
  applyStrings();
  widget.loadNotices();
  widget.connect();
  elements.input.focus();
}

startChatWidget();
