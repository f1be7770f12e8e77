import type { DeskLocation, DeskOutcome, EscalationDesk } from './escalation-desk.js';

/** A desk for running without Slack: every item completes at once and cases live only in the agent console. */
export class ConsoleOnlyDesk implements EscalationDesk {
  private done(): Promise<DeskOutcome<DeskLocation>> {
    return Promise.resolve({ ok: true, value: { channel: 'console', ts: '0' } });
  }

  postCase(): Promise<DeskOutcome<DeskLocation>> {
    return this.done();
  }

  postThreadMessage(): Promise<DeskOutcome<DeskLocation>> {
    return this.done();
  }

  updateCard(): Promise<DeskOutcome<DeskLocation>> {
    return this.done();
  }

  repostCase(): Promise<DeskOutcome<DeskLocation>> {
    return this.done();
  }

  deleteThread(): Promise<DeskOutcome<DeskLocation>> {
    return this.done();
  }

  probe(): Promise<DeskOutcome<null>> {
    return Promise.resolve({ ok: true, value: null });
  }
}
