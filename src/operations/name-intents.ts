/** Turns an intent id into the name people read on `/ops`. */
export type IntentNamer = (intentId: string) => string;

/**
 * Names intents by their content label (`label.en` of `intents/<id>.yaml`, e.g. "Why my limit
 * dropped"); an id with no label (an intent since removed, still in old messages) gets a readable
 * form of the id, e.g. `limit.why_dropped` → "Limit: why dropped".
 */
export function nameIntents(labels: Readonly<Record<string, string>>): IntentNamer {
  return function nameIntent(intentId) {
    return Object.hasOwn(labels, intentId) ? labels[intentId]! : readableIntentId(intentId);
  };
}

/** `limit.why_dropped` → "Limit: why dropped"; `oos` → "Oos". */
export function readableIntentId(intentId: string): string {
  const [area = '', ...rest] = intentId.split('.').map((part) => part.replace(/[_-]+/g, ' ').trim());
  const capitalised = area.charAt(0).toUpperCase() + area.slice(1);
  return rest.length === 0 ? capitalised : `${capitalised}: ${rest.join(' ')}`;
}
