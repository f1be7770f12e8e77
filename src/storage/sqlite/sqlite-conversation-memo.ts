import type Database from 'better-sqlite3';
import type { Conversation } from '../../core/conversation.js';

/** Conversations remembered for the read that starts a turn; the memo starts over beyond this. */
const MAX_KNOWN_CONVERSATIONS = 20_000;

/**
 * Conversations exactly as this connection last committed or read them, so the read that starts a
 * turn is one index probe (the resend check) instead of a row read and parse. Any commit by another
 * connection (another process, an operations command) changes `data_version` and empties it; writes
 * here other than turns and case updates empty it too.
 */
export class SqliteConversationMemo {
  private readonly known = new Map<string, Conversation>();
  private knownDataVersion = -1;
  /** True while `data_version` has been read in this turn of the event loop. */
  private isDataVersionChecked = false;
  private readonly dataVersion: Database.Statement;

  constructor(db: Database.Database) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
  }

  /** The remembered conversation, if any (the caller copies it before changing it). */
  get(id: string): Conversation | undefined {
    return this.known.get(id);
  }

  /** Remembers a conversation as committed or read. */
  remember(conversation: Conversation): void {
    if (this.known.size >= MAX_KNOWN_CONVERSATIONS) this.known.clear();
    this.known.set(conversation.id, conversation);
  }

  /** Forgets every remembered conversation (after a write that renames or deletes them in bulk). */
  clear(): void {
    this.known.clear();
  }

  /**
   * `data_version` changes whenever another connection commits; then nothing remembered can be trusted.
   * It is read once per turn of the event loop: the hundreds of turns read in one poll phase would only
   * ask again within microseconds, and a commit elsewhere could land just after any of those reads anyway.
   */
  forgetIfChangedElsewhere(): void {
    if (this.isDataVersionChecked) return;
    this.isDataVersionChecked = true;
    setImmediate(() => {
      this.isDataVersionChecked = false;
    });
    const version = this.dataVersion.get() as number;
    if (version === this.knownDataVersion) return;
    this.known.clear();
    this.knownDataVersion = version;
  }
}
