// The customer's messages: sending them (queued while offline), their receipts (sending, delivered,
// not sent), retrying a refused one, and sending again what a closed socket left unconfirmed.

const MAX_TEXT_CHARS = 2000;
/** Refusals worth trying again as they are; a message too long or unreadable has to be changed instead. */
const RETRYABLE_CODES = ['rate_limited', 'busy', 'generic'];

/** Builds the sending of the customer's messages and their receipts for the widget. */
export function createSending(widget) {
  const { elements, state } = widget;

  function newMessageId() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID().replace(/-/g, '');
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function sendMessage(text, topic) {
    const trimmed = text.trim();
    if (trimmed === '' && !topic) return;
    if (Array.from(trimmed).length > MAX_TEXT_CHARS) {
      widget.showNotice(widget.noticeText('text_too_long'));
      return;
    }
    widget.hideNotice();
    widget.renderSuggestions([], null);
    const frame = { type: 'message', id: newMessageId(), text: trimmed, locale: state.locale };
    if (topic) frame.topic = topic;
    const item = widget.renderMessage('customer', trimmed, null, null);
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
    status.textContent = value === 'delivered' ? widget.t('delivered') : value === 'failed' ? widget.t('notSent') : widget.t('sending');
    const oldRetry = meta.querySelector('.message-retry');
    if (oldRetry) oldRetry.remove();
    const clientId = item.getAttribute('data-client-id');
    if (value === 'failed' && RETRYABLE_CODES.includes(item.getAttribute('data-refused')) && clientId) {
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.className = 'message-retry';
      retry.textContent = widget.t('retry');
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
    widget.hideNotice();
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

  return { sendMessage, flushOutbox, setStatus, renderStatus, confirmMessage, refuseMessage, requeueUnconfirmed };
}
