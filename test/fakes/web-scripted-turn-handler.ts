import { randomUUID } from 'node:crypto';
import type { Locale } from '../../src/core/locale.js';
import type { HelpLink, OutgoingReply, Suggestion } from '../../src/core/reply.js';
import type { IncomingMessage, TurnHandler, TurnResult } from '../../src/core/turn.js';

interface ScriptedAnswer {
  text: string;
  suggestions?: Suggestion[];
  links?: HelpLink[];
}

const GREETING: Record<Locale, ScriptedAnswer> = {
  en: {
    text: "Hi, I'm Candor. I can explain changes to your credit limit.",
    suggestions: [
      { label: 'Why did my limit drop?', topic: 'limit-drop' },
      { label: 'How can I raise my limit?', topic: 'how-to-increase' },
    ],
  },
  'zh-CN': {
    text: '您好，我是 Candor，可以为您解释额度的变化。',
    suggestions: [
      { label: '我的额度为什么降了？', topic: 'limit-drop' },
      { label: '怎样提高额度？', topic: 'how-to-increase' },
    ],
  },
};

/** The four reasons the demo-drop customer is shown, in the engine's rank order. */
export const DEMO_DROP_REASONS: Record<Locale, string[]> = {
  en: [
    'A repayment on this credit line was late recently.',
    'You applied for credit several times in the last few months.',
    'You are using a large share of the credit available to you.',
    'We updated the criteria we use to set limits.',
  ],
  'zh-CN': ['近期本额度有一笔还款逾期。', '近几个月您多次申请信贷。', '您已使用的额度占比较高。', '我们更新了设定额度的评估标准。'],
};

const LIMIT_DROP: Record<Locale, ScriptedAnswer> = {
  en: {
    text: `Your limit went from ¥20,000.00 to ¥8,000.00 on 14 March 2026. The main reasons:\n${DEMO_DROP_REASONS.en.map((reason, index) => `${index + 1}. ${reason}`).join('\n')}`,
    suggestions: [{ label: 'How can I raise my limit?', topic: 'how-to-increase' }],
    links: [{ label: 'Why credit limits change', url: 'https://help.example.com/limits/why-limits-change' }],
  },
  'zh-CN': {
    text: `您的额度已于2026年3月14日从 ¥20,000.00 调整为 ¥8,000.00。主要原因：\n${DEMO_DROP_REASONS['zh-CN'].map((reason, index) => `${index + 1}. ${reason}`).join('\n')}`,
    suggestions: [{ label: '怎样提高额度？', topic: 'how-to-increase' }],
    links: [{ label: '额度为什么会变化', url: 'https://help.example.com/zh/limits/why-limits-change' }],
  },
};

const SIGN_IN: Record<Locale, ScriptedAnswer> = {
  en: { text: 'Please sign in so I can look at your own limit decision.' },
  'zh-CN': { text: '请先登录，我才能查看您本人的额度决定。' },
};

const HOW_TO_INCREASE: Record<Locale, ScriptedAnswer> = {
  en: { text: 'To raise your limit over time: repay on time, keep your balance low and keep your details up to date.' },
  'zh-CN': { text: '想逐步提高额度：请按时还款、控制已用额度，并及时更新个人信息。' },
};

/**
 * A turn handler with fixed answers, standing in for the core turn in web channel tests: a greeting,
 * the demo-drop customer's four reasons (only for that verified customer), and an echo otherwise.
 */
export class WebScriptedTurnHandler implements TurnHandler {
  /** Every message the channel handed over, in order. */
  readonly received: IncomingMessage[] = [];
  /** Delay before answering, to let tests see the typing indicator. */
  delayMs = 0;
  /** When set, the next turn throws this. */
  failNext: unknown = undefined;
  private readonly seenClientIds = new Set<string>();

  async handle(message: IncomingMessage): Promise<TurnResult> {
    this.received.push(message);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failNext !== undefined) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    const duplicateKey = message.clientMessageId ? `${message.conversationId}/${message.clientMessageId}` : undefined;
    if (duplicateKey && this.seenClientIds.has(duplicateKey)) {
      return { replies: [], intent: null, confidence: null, state: 'bot', reasonsShown: [], duplicate: true, action: null, escalation: null };
    }
    if (duplicateKey) this.seenClientIds.add(duplicateKey);
    // As while a person has the conversation: the message is stored and relayed, and the bot says nothing.
    if (message.text.startsWith('for the agent:')) {
      return { replies: [], intent: null, confidence: null, state: 'claimed', reasonsShown: [], duplicate: false, action: 'relay_to_agent', escalation: null };
    }
    const answer = this.answer(message);
    const reply: OutgoingReply = {
      id: randomUUID(),
      conversationId: message.conversationId,
      from: 'bot',
      text: answer.text,
      act: 'answer',
      ...(message.clientMessageId ? { inReplyTo: message.clientMessageId } : {}),
      suggestions: answer.suggestions ?? [],
      links: answer.links ?? [],
      state: 'bot',
      createdAt: new Date().toISOString(),
    };
    return { replies: [reply], intent: null, confidence: null, state: 'bot', reasonsShown: [], duplicate: false, action: 'scripted', escalation: null };
  }

  private answer(message: IncomingMessage): ScriptedAnswer {
    const text = message.text.toLowerCase();
    const asksLimitDrop =
      message.topic === 'limit-drop' || (text.includes('limit') && (text.includes('drop') || text.includes('decrease'))) || (text.includes('额度') && /降|下调|减少/.test(text));
    if (asksLimitDrop) return message.customerId === 'demo-drop' ? LIMIT_DROP[message.locale] : SIGN_IN[message.locale];
    if (message.topic === 'how-to-increase') return HOW_TO_INCREASE[message.locale];
    if (text === '') return GREETING[message.locale];
    return { text: message.locale === 'zh-CN' ? `您说：${message.text}` : `You said: ${message.text}` };
  }
}
