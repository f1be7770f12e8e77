// Quick replies; a clarifying question's choices; or, when a rating is asked for, five stars.

/** A topic name as the server accepts it (deep links and suggestions). */
export const TOPIC_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const RATING_PATTERN = /^[1-5]$/;

/** Builds the suggestion buttons for the widget. */
export function createSuggestions(widget) {
  const { elements } = widget;

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
        widget.sendMessage(textOf(suggestion), topic);
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
    elements.suggestions.setAttribute('aria-label', widget.t(kind === 'rating' ? 'ratingLabel' : kind === 'clarify' ? 'choicesLabel' : 'suggestionsLabel'));
    for (const star of elements.suggestions.querySelectorAll('.rating-star')) {
      star.setAttribute('aria-label', widget.t('rateValue', { n: star.getAttribute('data-value') }));
    }
  }

  function lightStars(upTo) {
    for (const star of elements.suggestions.querySelectorAll('.rating-star')) {
      star.toggleAttribute('data-lit', Number(star.getAttribute('data-value')) <= upTo);
    }
  }

  return { renderSuggestions, relabelSuggestions };
}
