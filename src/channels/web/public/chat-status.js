// The header's status line (connecting, reconnecting, who answers) and the notice above the messages.

/** Builds the status line and notice for the widget. */
export function createStatus(widget) {
  const { elements, state } = widget;

  function renderConnection() {
    const connection = elements.chat.getAttribute('data-connection');
    if (connection === 'online') elements.status.textContent = describeState();
    else if (connection === 'reconnecting') elements.status.textContent = widget.t('reconnecting');
    else if (connection === 'stopped') elements.status.textContent = '';
    else elements.status.textContent = widget.t('connecting');
  }

  function describeState() {
    const conversationState = elements.chat.getAttribute('data-state');
    if (conversationState === 'queued') return widget.t('stateQueued');
    if (conversationState === 'claimed') return widget.t('stateClaimed', { name: state.agentName || widget.t('agent') });
    return widget.t('stateBot');
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

  function renderIdentity(isAnonymous) {
    elements.identity.hidden = false;
    elements.identity.textContent = isAnonymous ? widget.t('anonymous') : widget.t('signedIn');
    elements.identity.setAttribute('data-anonymous', String(isAnonymous));
    elements.identity.setAttribute('data-i18n', isAnonymous ? 'anonymous' : 'signedIn');
  }

  return { renderConnection, setConnection, showNotice, hideNotice, renderIdentity };
}
