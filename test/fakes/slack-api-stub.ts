import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Web API call the stub answered. */
export interface SlackStubCall {
  method: string;
  args: Record<string, unknown>;
  status: number;
  /** When the stub answered (ms since the epoch). */
  at: number;
}

/** A message the stub holds. */
export interface SlackStubMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  thread_ts?: string;
  bot_id?: string;
  user?: string;
  deleted: boolean;
  edits: number;
}

/** How the stub answers right now: normally, 429 with Retry-After, 503, 500, or by dropping the connection. */
export type SlackStubMode = 'up' | 'rate_limited' | 'down' | 'failing' | 'unreachable';

/** A local Slack Web API for tests (auth.test, chat.*, conversations.history/replies, users.info, usergroups.users.list) that records every call. */
export interface SlackApiStub {
  /** Base URL for `slackApiUrl`, ending in `/api/`. */
  url: string;
  botUserId: string;
  botId: string;
  calls: SlackStubCall[];
  messages: SlackStubMessage[];
  ephemerals: Array<{ channel: string; user: string; text: string; thread_ts?: string }>;
  setMode(mode: SlackStubMode, retryAfterSeconds?: number): void;
  /** Answers the next `count` calls of a method in the given mode, then returns to the current one. */
  failNext(method: string, count: number, mode: Exclude<SlackStubMode, 'up'>): void;
  /** Makes every call of a method answer after a delay. */
  setDelay(method: string, ms: number): void;
  /** Calls of one method that succeeded. */
  succeeded(method: string): SlackStubCall[];
  /** Live top-level messages of a channel, oldest first. */
  topLevel(channel: string): SlackStubMessage[];
  /** Live replies in a thread, oldest first (without the parent). */
  thread(channel: string, threadTs: string): SlackStubMessage[];
  /** With false, history and replies come back without message metadata (Slack's answer to an app it withholds metadata from). */
  setHistoryMetadata(isIncluded: boolean): void;
  /** Adds a top-level message as if Candor's bot had posted it, with no metadata. */
  addBotMessage(message: { channel: string; text: string }): SlackStubMessage;
  /** Adds a message as if a person wrote it in Slack. */
  addHumanMessage(message: { channel: string; user: string; text: string; thread_ts?: string }): SlackStubMessage;
  close(): Promise<void>;
}

/** Starts the stub on a free local port. */
export async function startSlackApiStub(
  options: { users?: Record<string, { real_name: string; first_name?: string }>; usergroups?: Record<string, string[]> } = {},
): Promise<SlackApiStub> {
  const users = options.users ?? {};
  const usergroups = options.usergroups ?? {};
  const calls: SlackStubCall[] = [];
  const messages: SlackStubMessage[] = [];
  const ephemerals: SlackApiStub['ephemerals'] = [];
  let mode: SlackStubMode = 'up';
  let isMetadataInHistory = true;
  let retryAfter = 1;
  const delays = new Map<string, number>();
  const oneOff = new Map<string, { count: number; mode: Exclude<SlackStubMode, 'up'> }>();
  let clockSeconds = Math.floor(Date.now() / 1000);
  let seq = 0;
  const nextTs = (): string => {
    seq += 1;
    clockSeconds = Math.max(clockSeconds, Math.floor(Date.now() / 1000));
    return `${clockSeconds}.${String(seq).padStart(6, '0')}`;
  };
  const botUserId = 'UCANDORBOT';
  const botId = 'BCANDOR';

  const live = (m: SlackStubMessage): boolean => !m.deleted;
  const byTs = (a: SlackStubMessage, b: SlackStubMessage): number => Number(a.ts) - Number(b.ts);
  const withMetadata = (m: SlackStubMessage, include: boolean): Record<string, unknown> => {
    const { deleted: _deleted, edits: _edits, metadata, ...rest } = m;
    return include && metadata ? { ...rest, metadata } : rest;
  };

  function answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const str = (key: string): string | undefined => (typeof args[key] === 'string' ? (args[key] as string) : undefined);
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: botUserId, bot_id: botId, team_id: 'TCANDOR', user: 'candor', url: 'https://candor-test.slack.com/' };
      case 'chat.postMessage': {
        const channel = str('channel');
        if (channel === undefined || !/^[CG]/.test(channel)) return { ok: false, error: 'channel_not_found' };
        const message: SlackStubMessage = {
          channel,
          ts: nextTs(),
          text: str('text') ?? '',
          bot_id: botId,
          deleted: false,
          edits: 0,
          ...(args['blocks'] === undefined ? {} : { blocks: args['blocks'] }),
          ...(args['metadata'] === undefined ? {} : { metadata: args['metadata'] as SlackStubMessage['metadata'] }),
          ...(str('thread_ts') === undefined ? {} : { thread_ts: str('thread_ts') }),
        };
        messages.push(message);
        return { ok: true, channel, ts: message.ts, message: withMetadata(message, false) };
      }
      case 'chat.update': {
        const found = messages.find((m) => m.channel === str('channel') && m.ts === str('ts') && live(m));
        if (!found) return { ok: false, error: 'message_not_found' };
        found.text = str('text') ?? found.text;
        if (args['blocks'] !== undefined) found.blocks = args['blocks'];
        found.edits += 1;
        return { ok: true, channel: found.channel, ts: found.ts };
      }
      case 'chat.delete': {
        const found = messages.find((m) => m.channel === str('channel') && m.ts === str('ts') && live(m));
        if (!found) return { ok: false, error: 'message_not_found' };
        found.deleted = true;
        return { ok: true, channel: found.channel, ts: found.ts };
      }
      case 'chat.postEphemeral': {
        const entry = { channel: str('channel') ?? '', user: str('user') ?? '', text: str('text') ?? '', ...(str('thread_ts') ? { thread_ts: str('thread_ts') ?? '' } : {}) };
        ephemerals.push(entry);
        return { ok: true, message_ts: nextTs() };
      }
      case 'conversations.history': {
        const channel = str('channel');
        const oldest = Number(str('oldest') ?? '0');
        const latest = str('latest') === undefined ? Number.POSITIVE_INFINITY : Number(str('latest'));
        const inclusive = str('inclusive') === 'true' || args['inclusive'] === true;
        const limit = Number(str('limit') ?? args['limit'] ?? 100);
        const include = isMetadataInHistory && (str('include_all_metadata') === 'true' || args['include_all_metadata'] === true);
        const found = messages
          .filter((m) => live(m) && m.channel === channel && (m.thread_ts === undefined || m.thread_ts === m.ts))
          .filter((m) => (inclusive ? Number(m.ts) >= oldest && Number(m.ts) <= latest : Number(m.ts) > oldest && Number(m.ts) < latest))
          .sort(byTs)
          .reverse()
          .slice(0, limit);
        return { ok: true, messages: found.map((m) => withMetadata(m, include)), has_more: false, response_metadata: { next_cursor: '' } };
      }
      case 'conversations.replies': {
        const channel = str('channel');
        const ts = str('ts');
        const include = isMetadataInHistory && (str('include_all_metadata') === 'true' || args['include_all_metadata'] === true);
        const parent = messages.find((m) => live(m) && m.channel === channel && m.ts === ts);
        if (!parent) return { ok: false, error: 'thread_not_found' };
        const oldest = Number(str('oldest') ?? '0');
        const replies = messages.filter((m) => live(m) && m.channel === channel && m.thread_ts === ts && m.ts !== ts && Number(m.ts) >= oldest).sort(byTs);
        return { ok: true, messages: [parent, ...replies].map((m) => withMetadata(m, include)), has_more: false, response_metadata: { next_cursor: '' } };
      }
      case 'usergroups.users.list': {
        const members = usergroups[str('usergroup') ?? ''];
        return members === undefined ? { ok: false, error: 'no_such_subteam' } : { ok: true, users: members };
      }
      case 'users.info': {
        const id = str('user') ?? '';
        const user = users[id];
        if (!user) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: { id, name: user.real_name.toLowerCase().replace(/\s+/g, '.'), real_name: user.real_name, profile: { real_name: user.real_name, first_name: user.first_name ?? '', display_name: '' } },
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  async function readArgs(request: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const type = request.headers['content-type'] ?? '';
    if (type.includes('application/json')) return raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    const args: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(raw)) {
      if (key === 'blocks' || key === 'metadata' || key === 'attachments') {
        try {
          args[key] = JSON.parse(value);
        } catch {
          args[key] = value;
        }
      } else args[key] = value;
    }
    return args;
  }

  async function onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const args = await readArgs(request);
    const delay = delays.get(method) ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const special = oneOff.get(method);
    let current: SlackStubMode = mode;
    if (special && special.count > 0) {
      special.count -= 1;
      current = special.mode;
    }
    if (request.headers.authorization !== 'Bearer xoxb-test-token' && method !== '') {
      calls.push({ method, args, status: 200, at: Date.now() });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'invalid_auth' }));
      return;
    }
    if (current === 'unreachable') {
      calls.push({ method, args, status: 0, at: Date.now() });
      request.socket.destroy();
      return;
    }
    if (current === 'rate_limited') {
      calls.push({ method, args, status: 429, at: Date.now() });
      response.writeHead(429, { 'retry-after': String(retryAfter), 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    if (current === 'failing') {
      calls.push({ method, args, status: 500, at: Date.now() });
      response.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
      return;
    }
    if (current === 'down') {
      calls.push({ method, args, status: 503, at: Date.now() });
      response.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    calls.push({ method, args, status: 200, at: Date.now() });
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(method, args)));
  }

  const server: Server = createServer((request, response) => {
    onRequest(request, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    botUserId,
    botId,
    calls,
    messages,
    ephemerals,
    setMode(next, retryAfterSeconds = 1) {
      mode = next;
      retryAfter = retryAfterSeconds;
    },
    failNext(method, count, failMode) {
      oneOff.set(method, { count, mode: failMode });
    },
    setDelay(method, ms) {
      delays.set(method, ms);
    },
    succeeded: (method) => calls.filter((c) => c.method === method && c.status === 200),
    topLevel: (channel) => messages.filter((m) => live(m) && m.channel === channel && m.thread_ts === undefined).sort(byTs),
    thread: (channel, threadTs) => messages.filter((m) => live(m) && m.channel === channel && m.thread_ts === threadTs).sort(byTs),
    setHistoryMetadata(isIncluded) {
      isMetadataInHistory = isIncluded;
    },
    addBotMessage(input) {
      const message: SlackStubMessage = { ...input, ts: nextTs(), bot_id: botId, deleted: false, edits: 0 };
      messages.push(message);
      return message;
    },
    addHumanMessage(input) {
      const message: SlackStubMessage = { ...input, ts: nextTs(), deleted: false, edits: 0 };
      messages.push(message);
      return message;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
