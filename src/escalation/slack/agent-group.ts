import type { webApi } from '@slack/bolt';
import { silentLogger, type Logger } from '../../core/ports/logger.js';

/** Members of the agents' Slack user group (`SLACK_AGENT_GROUP_ID`), read with usergroups.users.list and kept for a minute. */
export class AgentGroup {
  private members: { userIds: ReadonlySet<string>; readAt: number } | null = null;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly groupId: string | undefined,
    private readonly logger: Logger = silentLogger,
    private readonly cacheMs = 60_000,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Returns true when the user is in the group; false without a group, and when Slack cannot say (fail closed). */
  async has(userId: string): Promise<boolean> {
    if (this.groupId === undefined) return false;
    if (this.members === null || this.nowMs() - this.members.readAt >= this.cacheMs) {
      try {
        const answer = await this.client.usergroups.users.list({ usergroup: this.groupId });
        this.members = { userIds: new Set(answer.users ?? []), readAt: this.nowMs() };
      } catch (error) {
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'usergroups.users.list failed; treating the user as not an agent');
        return false;
      }
    }
    return this.members.userIds.has(userId);
  }
}
