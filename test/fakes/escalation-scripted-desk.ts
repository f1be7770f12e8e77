import type { CaseCardView, DeliveryKey, DeskLocation, DeskOutcome, EscalationDesk, ThreadLine } from '../../src/escalation/escalation-desk.js';

/** One call the scripted desk received. */
export interface ScriptedDeskCall {
  method: keyof EscalationDesk;
  caseId: string;
  detail: string;
}

/** An EscalationDesk whose next answers a test can script (failures, Retry-After), recording every call in order. */
export class ScriptedDesk implements EscalationDesk {
  readonly calls: ScriptedDeskCall[] = [];
  readonly delivered: ScriptedDeskCall[] = [];
  private readonly script: Array<DeskOutcome<DeskLocation> | 'throw'> = [];
  private n = 0;
  private isDown = false;
  /** How many probes the desk answered. */
  probes = 0;

  /** Queues answers for the next calls; `ok` results are made up by the desk. */
  failNext(...outcomes: Array<Extract<DeskOutcome<DeskLocation>, { ok: false }> | 'throw'>): void {
    this.script.push(...outcomes);
  }

  postCase(view: CaseCardView, key: DeliveryKey): Promise<DeskOutcome<DeskLocation>> {
    return this.answer({ method: 'postCase', caseId: view.case.id, detail: `${view.case.ref}:${key.itemId}` });
  }

  postThreadMessage(card: DeskLocation, line: ThreadLine, key: DeliveryKey & { caseId: string }): Promise<DeskOutcome<DeskLocation>> {
    return this.answer({ method: 'postThreadMessage', caseId: key.caseId, detail: `${card.ts}:${line.author}:${line.text}` });
  }

  updateCard(card: DeskLocation, view: CaseCardView): Promise<DeskOutcome<DeskLocation>> {
    return this.answer({ method: 'updateCard', caseId: view.case.id, detail: `${card.ts}:${view.case.status}` });
  }

  repostCase(view: CaseCardView, previous: DeskLocation | null): Promise<DeskOutcome<DeskLocation>> {
    return this.answer({ method: 'repostCase', caseId: view.case.id, detail: `after ${previous?.ts ?? 'none'}` });
  }

  deleteThread(card: DeskLocation): Promise<DeskOutcome<DeskLocation>> {
    return this.answer({ method: 'deleteThread', caseId: '', detail: card.ts });
  }

  /** Answers as the desk does now: up unless `setDown(true)`. */
  async probe(): Promise<DeskOutcome<null>> {
    this.probes += 1;
    return this.isDown ? { ok: false, error: 'desk down' } : { ok: true, value: null };
  }

  /** Makes probes fail (true) or answer (false). */
  setDown(isDown: boolean): void {
    this.isDown = isDown;
  }

  private async answer(call: ScriptedDeskCall): Promise<DeskOutcome<DeskLocation>> {
    this.calls.push(call);
    const next = this.script.shift();
    if (next === 'throw') throw new Error('desk exploded');
    if (next !== undefined) return next;
    this.n += 1;
    this.delivered.push(call);
    return { ok: true, value: { channel: 'CDESK', ts: `ts-${this.n}` } };
  }
}
