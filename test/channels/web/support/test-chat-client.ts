import { WebSocket } from 'ws';

/** A frame as the test client received it. */
export type Frame = Record<string, unknown> & { type: string };

/** A real `ws` client that records every frame and can wait for one that matches. */
export class TestChatClient {
  readonly frames: Frame[] = [];
  readonly socket: WebSocket;
  private waiters: Array<{ match: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = [];
  closed: Promise<{ code: number }>;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', (code) => resolve({ code })));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
  }

  /** Opens a socket and waits for the server's session frame. */
  static async open(url: string, options: { token?: string; origin?: string; query?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<TestChatClient> {
    const target = new URL(url);
    if (options.token) target.searchParams.set('token', options.token);
    for (const [key, value] of Object.entries(options.query ?? {})) target.searchParams.set(key, value);
    const socket = new WebSocket(target, { ...(options.origin ? { origin: options.origin } : {}), ...(options.headers ? { headers: options.headers } : {}) });
    const client = new TestChatClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    });
    await client.next((frame) => frame.type === 'session');
    return client;
  }

  /** Tries to open a socket and returns the HTTP status of a refused upgrade (or 101 when accepted). */
  static async upgradeStatus(url: string, options: { token?: string; origin?: string } = {}): Promise<number> {
    const target = new URL(url);
    if (options.token !== undefined) target.searchParams.set('token', options.token);
    const socket = new WebSocket(target, options.origin ? { origin: options.origin } : {});
    return new Promise<number>((resolve, reject) => {
      socket.once('open', () => {
        socket.close();
        resolve(101);
      });
      socket.once('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        response.resume();
        socket.terminate();
      });
      socket.once('error', (error) => reject(error));
    });
  }

  /** Resolves with the first frame (already received or future) that matches, or fails after a timeout. */
  next(match: (frame: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const existing = this.frames.find(match);
    if (existing) {
      this.frames.splice(this.frames.indexOf(existing), 1);
      return Promise.resolve(existing);
    }
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(frame), 1);
          resolve(frame);
        },
      });
    });
  }

  /** Waits for the next reply frame. */
  reply(timeoutMs?: number): Promise<Frame> {
    return this.next((frame) => frame.type === 'message', timeoutMs);
  }

  /** Waits for the next error frame. */
  error(timeoutMs?: number): Promise<Frame> {
    return this.next((frame) => frame.type === 'error', timeoutMs);
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  ack(id: unknown): void {
    this.send({ type: 'ack', id });
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closed;
  }
}
