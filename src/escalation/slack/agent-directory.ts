import type { webApi } from '@slack/bolt';
import { silentLogger, type Logger } from '../../core/ports/logger.js';
import type { AgentIdentity } from '../case-service.js';

const FALLBACK_NAME = 'Agent';

/** Turns Slack user ids into the names customers see: a configured alias, else the first name from the profile. */
export class AgentDirectory {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly aliases: Readonly<Record<string, string>>,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** The agent identity for a Slack user; falls back to a neutral name when Slack cannot be asked. */
  async resolve(userId: string): Promise<AgentIdentity> {
    const alias = this.aliases[userId];
    if (alias !== undefined) return { id: userId, name: alias };
    const cached = this.cache.get(userId);
    if (cached !== undefined) return { id: userId, name: cached };
    try {
      const info = await this.client.users.info({ user: userId });
      const profile = info.user?.profile;
      const candidates = [profile?.first_name, info.user?.real_name?.split(/\s+/)[0], profile?.display_name, info.user?.name];
      const name = candidates.map((value) => (value ?? '').trim()).find((value) => value !== '') ?? FALLBACK_NAME;
      const clean = name.slice(0, 40);
      this.cache.set(userId, clean);
      return { id: userId, name: clean };
    } catch (error) {
      this.logger.warn({ slackUser: userId, err: error instanceof Error ? error.message : String(error) }, 'users.info failed; using a neutral agent name');
      return { id: userId, name: FALLBACK_NAME };
    }
  }
}
