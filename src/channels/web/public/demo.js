// The demo page: lists the demo customers; picking one posts to /demo/token, which opens the chat with a token.
'use strict';

(function startDemoPage() {
  const STRINGS = window.CANDOR_STRINGS;
  const params = new URLSearchParams(window.location.search);
  const requested = params.get('lang');
  const saved = sessionStorage.getItem('candor.locale');
  let locale = requested === 'en' || requested === 'zh-CN' ? requested : saved === 'en' || saved === 'zh-CN' ? saved : (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  let customers = [];

  const list = document.getElementById('customers');
  const toggle = document.getElementById('lang-toggle');
  const guestLink = document.getElementById('guest-link');

  function t(key, values) {
    let text = (STRINGS[locale] || STRINGS.en)[key];
    if (values) for (const name of Object.keys(values)) text = text.split('{' + name + '}').join(values[name]);
    return text;
  }

  function render() {
    document.documentElement.lang = t('htmlLang');
    document.title = t('demoTitle');
    for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.getAttribute('data-i18n'));
    toggle.textContent = t('otherLanguage');
    toggle.setAttribute('aria-label', t('otherLanguageName'));
    guestLink.href = '/chat?lang=' + encodeURIComponent(locale);
    list.replaceChildren();
    for (const customer of customers) {
      const item = document.createElement('li');
      item.className = 'customer';
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/demo/token';
      const id = document.createElement('input');
      id.type = 'hidden';
      id.name = 'customerId';
      id.value = customer.id;
      const lang = document.createElement('input');
      lang.type = 'hidden';
      lang.name = 'lang';
      lang.value = locale;
      const button = document.createElement('button');
      button.type = 'submit';
      button.setAttribute('data-customer', customer.id);
      button.textContent = t('demoChatAs', { name: customer.displayName });
      form.append(id, lang, button);
      const description = document.createElement('p');
      description.className = 'customer-description';
      description.textContent = customer.description;
      const code = document.createElement('code');
      code.textContent = customer.id;
      item.append(form, code, description);
      list.append(item);
    }
  }

  toggle.addEventListener('click', () => {
    locale = locale === 'en' ? 'zh-CN' : 'en';
    sessionStorage.setItem('candor.locale', locale);
    render();
  });

  fetch('/demo/customers')
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
    .then((body) => {
      customers = Array.isArray(body.customers) ? body.customers : [];
      render();
    })
    .catch(() => {
      const item = document.createElement('li');
      item.textContent = t('demoLoadFailed');
      list.replaceChildren(item);
    });
  render();
})();
