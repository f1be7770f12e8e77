import type { IntentDirectory, IntentProfile } from '../../src/core/ports/intent-directory.js';

const PROFILES: IntentProfile[] = [
  { id: 'limit.why_dropped', needsDecision: true, escalate: null, aliases: ['limit-drop', 'limit-decrease'] },
  { id: 'limit.increase_denied', needsDecision: true, escalate: null, aliases: ['increase-denied'] },
  { id: 'limit.how_to_increase', needsDecision: false, escalate: null, aliases: ['how-to-increase'] },
];

/** Three intents with their deep-link aliases, for web channel tests. */
export class WebFakeIntents implements IntentDirectory {
  get(intentId: string): IntentProfile | undefined {
    return PROFILES.find((profile) => profile.id === intentId);
  }

  resolveAlias(alias: string): IntentProfile | undefined {
    return PROFILES.find((profile) => profile.aliases.includes(alias));
  }
}
