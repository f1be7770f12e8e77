import type { IntentDirectory, IntentProfile } from '../core/ports/intent-directory.js';
import type { LoadedContent } from './loaded-content.js';

/** Creates the intent directory the dialogue policy reads, from loaded content. */
export function createIntentDirectory(content: LoadedContent): IntentDirectory {
  const byId = new Map<string, IntentProfile>();
  const byAlias = new Map<string, IntentProfile>();
  for (const intent of content.intents) {
    const profile: IntentProfile = {
      id: intent.id,
      needsDecision: intent.flags.needsDecision,
      escalate: intent.flags.escalate,
      aliases: [...intent.aliases],
    };
    byId.set(intent.id, profile);
    for (const alias of intent.aliases) byAlias.set(alias, profile);
  }
  return {
    get: function getIntent(intentId) {
      return byId.get(intentId);
    },
    resolveAlias: function resolveAlias(alias) {
      return byAlias.get(alias.trim().toLowerCase());
    },
  };
}
