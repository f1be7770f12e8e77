import type { ComposedReply, ReplyComposer, ReplyRequest } from '../../src/core/ports/reply-composer.js';
import type { Locale } from '../../src/core/locale.js';

/** A ReplyComposer for escalation tests: short fixed texts that name the request, and the callback suggestion on a wait notice. */
export class EscalationReplyComposer implements ReplyComposer {
  readonly contentVersion = 'test';
  readonly requests: Array<{ request: ReplyRequest; locale: Locale }> = [];

  reasonTexts(codes: readonly string[], locale: Locale): string[] {
    return codes.map((code) => `[${locale}] ${code}`);
  }

  compose(request: ReplyRequest, locale: Locale): ComposedReply {
    this.requests.push({ request, locale });
    const base = { suggestions: [], links: [], templateIds: [`test/${request.kind}`] };
    switch (request.kind) {
      case 'agent_joined':
        return { ...base, text: `[${locale}] ${request.agentName} has joined the chat.` };
      case 'bot_back':
        return { ...base, text: `[${locale}] You are back with the assistant.` };
      case 'rating_request':
        return { ...base, text: `[${locale}] How did we do? Rate 1-5.`, suggestions: [1, 2, 3, 4, 5].map((n) => ({ label: String(n) })) };
      case 'wait_notice':
        return {
          ...base,
          text: `[${locale}] Everyone is busy; recent claims took ${request.typicalWaitMinutes ?? 'an unknown number of'} min. We can call you back instead.`,
          suggestions: [{ label: 'Call me back', topic: 'callback' }],
        };
      default:
        return { ...base, text: `[${locale}] ${request.kind}` };
    }
  }
}
