import { createInterface } from 'node:readline';
import type { Locale } from '../../core/locale.js';
import { normalizeKeepingCjkPunctuation } from '../../core/normalize-keeping-cjk-punctuation.js';
import type { OutgoingReply } from '../../core/reply.js';
import type { TurnHandler, TurnResult } from '../../core/turn.js';

/** Options of one terminal chat session. */
export interface ChatSessionOptions {
  turns: TurnHandler;
  customerId: string | null;
  locale: Locale;
  conversationId: string;
  /** One JSON object per bot reply instead of readable text. */
  json: boolean;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Fetches replies that reached this conversation from elsewhere (an agent), oldest first. */
  pollDeliveries?: () => Promise<OutgoingReply[]>;
  pollIntervalMs?: number;
}

/** The JSON line printed for one bot reply with `--json`. */
export interface ChatJsonLine {
  /** The 1-based index, across the session, of the customer line this reply answers (for an agent's message: the latest). */
  inReplyTo: number;
  /** What the reply does; a `clarify` reply's choices are its `suggestions`, in order. */
  act: OutgoingReply['act'];
  text: string;
  intent: string | null;
  confidence: number | null;
  state: string;
  reasonsShown: string[];
  suggestions: string[];
  links: string[];
  from: 'bot' | 'agent';
}

/** Runs a chat for one customer over a line-based stream until the input ends. */
export async function runChatSession(options: ChatSessionOptions): Promise<void> {
  const { output } = options;
  const write = (line: string) => output.write(`${line}\n`);

  let customerLines = 0;
  const print = (reply: OutgoingReply, result: TurnResult | null) => {
    if (options.json) {
      const line: ChatJsonLine = {
        inReplyTo: customerLines,
        act: reply.act,
        text: reply.text,
        intent: result?.intent ?? null,
        confidence: result?.confidence ?? null,
        state: reply.state,
        reasonsShown: result?.reasonsShown ?? [],
        suggestions: reply.suggestions.map((s) => s.label),
        links: reply.links.map((l) => l.url),
        from: reply.from,
      };
      write(JSON.stringify(line));
      return;
    }
    const who = reply.from === 'agent' ? (reply.agentName ?? 'Agent') : 'Candor';
    write(`${who}: ${reply.text}`);
    if (reply.act === 'clarify') {
      // A terminal has no buttons: the choices are numbered, and typing the number picks one.
      reply.suggestions.forEach((suggestion, index) => write(`  ${index + 1}. ${suggestion.label}`));
    } else if (reply.suggestions.length > 0) {
      write(`  [${reply.suggestions.map((s) => s.label).join('] [')}]`);
    }
    for (const link of reply.links) write(`  ${link.label}: ${link.url}`);
  };

  const send = async (text: string) => {
    const result = await options.turns.handle({
      conversationId: options.conversationId,
      channel: 'cli',
      customerId: options.customerId,
      locale: options.locale,
      text: normalizeKeepingCjkPunctuation(text),
    });
    for (const reply of result.replies) print(reply, result);
  };

  const timer = options.pollDeliveries
    ? setInterval(() => {
        options.pollDeliveries?.().then(
          (replies) => replies.forEach((reply) => print(reply, null)),
          (error: unknown) => write(`(could not fetch agent messages: ${(error as Error).message})`),
        );
      }, options.pollIntervalMs ?? 1000)
    : null;

  try {
    if (!options.json) {
      write(options.customerId ? `Chatting as ${options.customerId} (${options.locale}). Ctrl-D to quit.` : `Chatting anonymously (${options.locale}). Ctrl-D to quit.`);
      await send('');
    }
    const lines = createInterface({ input: options.input, terminal: false });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      customerLines += 1;
      await send(line);
    }
    if (options.pollDeliveries) {
      for (const reply of await options.pollDeliveries()) print(reply, null);
    }
  } finally {
    if (timer) clearInterval(timer);
  }
}
