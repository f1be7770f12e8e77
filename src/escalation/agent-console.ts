import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { EscalationCase } from '../core/escalation-case.js';
import type { AgentIdentity, CaseActionResult, CaseService } from './case-service.js';
import { minutesBetween } from './case-service.js';

/** What the local agent console needs: the case service, the agent at the keyboard, and its streams. */
export interface AgentConsoleOptions {
  cases: CaseService;
  agent: AgentIdentity;
  input: Readable;
  output: Writable;
  /** Shows `agent> ` before each command (for a terminal). */
  prompt?: boolean;
  now?: () => Date;
}

const HELP = [
  'list                 open cases',
  'show <ref>           a case and its redacted transcript',
  'claim <ref>          take a case (the customer is told you joined)',
  'reply <ref> <text>   send text to the customer',
  'note <ref> <text>    internal note, never sent to the customer',
  'resolve <ref>        close the case and ask the customer for a rating',
  'bot <ref>            hand the conversation back to the bot',
  'help                 this list',
  'quit                 leave',
].join('\n');

/** Runs the agent console REPL over CaseService until the input ends or `quit`; the same actions as the Slack buttons. */
export async function runAgentConsole(options: AgentConsoleOptions): Promise<void> {
  const { cases, agent, output } = options;
  const now = options.now ?? (() => new Date());
  const write = (text: string): void => {
    output.write(`${text}\n`);
  };
  const lines = createInterface({ input: options.input, crlfDelay: Infinity, terminal: false });
  const prompt = (): void => {
    if (options.prompt === true) output.write('agent> ');
  };

  const describe = (item: EscalationCase): string => {
    const waited = minutesBetween(item.createdAt, item.claimedAt === null ? now() : new Date(item.claimedAt));
    const who = item.agentName === null ? '' : ` (${item.agentName})`;
    const restricted = item.restricted ? ' [restricted]' : '';
    return `${item.ref}  ${item.status}${who}  ${item.trigger}${restricted}  ${item.locale}  ${item.intent ?? '-'}  ${waited} min`;
  };

  const report = (result: CaseActionResult, done: (item: EscalationCase) => string): string => {
    switch (result.status) {
      case 'ok':
        return done(result.case);
      case 'not_found':
        return 'No such case.';
      case 'already_claimed':
        return `${result.case.ref} is already claimed by ${result.case.agentName ?? 'another agent'}.`;
      case 'not_open':
        return `${result.case.ref} is ${result.case.status}; nothing done.`;
      case 'empty_text':
        return 'Nothing to send.';
    }
  };

  write(`Candor agent console, signed in as ${agent.name}. Type "help" for commands.`);
  prompt();
  for await (const raw of lines) {
    const line = raw.trim();
    const [command = '', ref = '', ...words] = line.split(/\s+/);
    const text = line.replace(/^\S+\s+\S+\s?/, '');
    try {
      switch (command.toLowerCase()) {
        case '':
          break;
        case 'help':
          write(HELP);
          break;
        case 'quit':
        case 'exit':
          lines.close();
          return;
        case 'list': {
          const open = await cases.listOpen();
          write(open.length === 0 ? 'No open cases.' : open.map(describe).join('\n'));
          break;
        }
        case 'show': {
          const details = ref === '' ? null : await cases.details(ref);
          if (details === null) {
            write('No such case.');
            break;
          }
          const item = details.case;
          write(describe(item));
          write(`customer: ${item.customerRef ?? 'anonymous'}  decision: ${item.decisionId ?? '-'}`);
          write(item.restricted ? 'reasons: not shown (restricted case)' : `reasons: ${item.reasonsShown.map((r) => r.text).join(' | ') || '-'}`);
          if (item.note !== null) write(`note: ${item.note}`);
          for (const message of details.transcript) write(`  ${message.author}: ${message.text}`);
          break;
        }
        case 'claim':
          write(report(await cases.claim(ref, agent), (item) => `Claimed ${item.ref}.`));
          break;
        case 'reply':
        case 'note': {
          if (ref === '' || words.length === 0) {
            write(`Usage: ${command} <ref> <text>`);
            break;
          }
          const body = command.toLowerCase() === 'note' ? `note: ${text}` : text;
          write(report(await cases.agentReply(ref, agent, body), (item) => (command.toLowerCase() === 'note' ? `Noted on ${item.ref}.` : `Sent to ${item.ref}.`)));
          break;
        }
        case 'resolve':
          write(report(await cases.resolve(ref, agent), (item) => `Resolved ${item.ref}; the customer is asked for a rating.`));
          break;
        case 'bot':
          write(report(await cases.returnToBot(ref, agent), (item) => `${item.ref} is back with the bot.`));
          break;
        default:
          write(`Unknown command "${command}". Type "help".`);
      }
    } catch (error) {
      write(`Failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    prompt();
  }
}
