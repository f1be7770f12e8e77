// The widget's words: the locale, its strings (window.CANDOR_STRINGS, from chat-strings.js) and the
// server's error notices. Every text goes on the page with textContent, never as HTML.

/** The locale asked for in the address, else the one this tab used, else the browser's. */
export function pickLocale(params) {
  const requested = params.get('lang') || params.get('locale');
  if (requested === 'en' || requested === 'zh-CN') return requested;
  const saved = sessionStorage.getItem('candor.locale');
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** Builds the string lookups for the widget, in its current locale. */
export function createText(widget) {
  const STRINGS = window.CANDOR_STRINGS;
  const { state } = widget;

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

  function loadNotices() {
    fetch('/chat/notices?locale=' + encodeURIComponent(state.locale))
      .then((response) => (response.ok ? response.json() : null))
      .then((body) => {
        if (body && body.notices && typeof body.notices === 'object') state.notices = body.notices;
      })
      .catch(() => undefined);
  }

  return { t, noticeText, loadNotices };
}
