import type { EscalationTrigger } from '../escalation-case.js';

/** What the dialogue policy needs to know about an intent, from its content file. */
export interface IntentProfile {
  id: string;
  /** True when the answer depends on the customer's own decisions. */
  needsDecision: boolean;
  /** When set, answering this intent hands the conversation to a person with this trigger. */
  escalate: EscalationTrigger | null;
  /** Deep-link aliases, e.g. `limit-drop`. */
  aliases: string[];
}

/** The project's intents, as loaded from intents/. */
export interface IntentDirectory {
  get(intentId: string): IntentProfile | undefined;
  /** The intent a deep-link alias opens, if any. */
  resolveAlias(alias: string): IntentProfile | undefined;
}
