// The widget's websocket: connecting and reconnecting with backoff, the frames that arrive, and getting
// a fresh token for the same customer when the signed-in one expires.

const MAX_BACKOFF_MS = 30000;
// The server closes a signed-in socket with this code when its token expires.
const TOKEN_EXPIRED_CLOSE_CODE = 4001;
const TOKEN_REFRESH_PATH = '/chat/token/refresh';

/** The chat token: it arrives in the fragment (never sent to a server or a Referer), then lives in this tab only. */
export function takeToken() {
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

/** Builds the widget's connection: `connect` opens the socket and keeps it open. */
export function createConnection(widget) {
  const { state } = widget;

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
    widget.setConnection(state.attempts === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(socketUrl());
    state.socket = socket;
    socket.addEventListener('open', () => {
      state.isOpen = true;
      state.attempts = 0;
      widget.setConnection('online');
      // The chat is started (greeting or deep-link topic) once the history says whether it is new.
      socket.send(JSON.stringify({ type: 'hello', locale: state.locale }));
      widget.flushOutbox();
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
      widget.hideTyping();
      widget.requeueUnconfirmed(event.code === 1009);
      if (event.code === 1009) widget.showNotice(widget.noticeText('text_too_long'));
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
    widget.setConnection('reconnecting');
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
    widget.setConnection('stopped');
    const guest = document.createElement('button');
    guest.type = 'button';
    guest.textContent = widget.t('continueAsGuest');
    guest.addEventListener('click', () => {
      sessionStorage.removeItem('candor.token');
      state.token = null;
      state.stopped = false;
      widget.hideNotice();
      widget.renderIdentity(true);
      connect();
    });
    const demo = document.createElement('a');
    demo.href = '/demo?lang=' + encodeURIComponent(state.locale);
    demo.textContent = widget.t('chooseDemoCustomer');
    widget.showNotice(widget.noticeText('unauthorized'), [guest, demo]);
    guest.focus();
  }

  function scheduleReconnect() {
    if (state.stopped || state.reconnectTimer !== null) return;
    widget.setConnection('reconnecting');
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
      widget.renderIdentity(frame.anonymous === true);
    } else if (frame.type === 'history') {
      widget.receiveHistory(Array.isArray(frame.messages) ? frame.messages : []);
    } else if (frame.type === 'message') {
      widget.receiveReply(frame);
    } else if (frame.type === 'typing') {
      widget.showTyping(frame);
    } else if (frame.type === 'delivered') {
      if (typeof frame.id === 'string') widget.confirmMessage(frame.id);
    } else if (frame.type === 'error') {
      widget.hideTyping();
      if (typeof frame.id === 'string') widget.refuseMessage(frame.id, String(frame.code));
      widget.showNotice(widget.noticeText(String(frame.code), typeof frame.text === 'string' ? frame.text : ''));
    }
  }

  return { connect };
}
