import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Candor } from '../../src/main.js';
import { buildTestCandor } from '../support/build-test-candor.js';

const turnSchema = z
  .object({
    say: z.string().default(''),
    topic: z.string().optional(),
    intent: z.string().optional(),
    state: z.enum(['bot', 'queued', 'claimed', 'resolved']).optional(),
    reasonsShown: z.array(z.string()).optional(),
    contains: z.array(z.string()).default([]),
    notContains: z.array(z.string()).default([]),
    /** Rendered texts that must appear in this order. */
    inOrder: z.array(z.string()).default([]),
    suggestions: z.array(z.string()).default([]),
    /** What the first reply does (`answer`, `clarify`, …). */
    act: z.enum(['answer', 'clarify', 'out_of_scope', 'handover', 'relay', 'rating']).optional(),
  })
  .strict();

const conversationFileSchema = z
  .object({
    description: z.string(),
    customer: z.string().nullable(),
    /** The turns' time (ISO 8601); the system clock when absent. */
    now: z.iso.datetime({ offset: true }).optional(),
    /** Texts that must never appear in any reply of this file, on top of the global list. */
    never: z.array(z.string()).default([]),
    sessions: z.array(z.object({ locale: z.enum(['en', 'zh-CN']), turns: z.array(turnSchema).min(1) }).strict()).min(1),
  })
  .strict();

const folder = import.meta.dirname;
const files = readdirSync(folder).filter((name) => name.endsWith('.yaml')).sort();
const catalogue = parse(readFileSync(join(folder, '../../templates/reasons.yaml'), 'utf8')) as { reasons: { code: string }[] };
const allCodes = catalogue.reasons.map((reason) => reason.code);
/** Nothing internal ever reaches a customer: no codes, scores, thresholds or hints of restricted reasons. */
const globallyForbidden = [...allCodes, 'ZZ_', 'score', 'threshold', 'confidence', '{{', 'undefined', 'NaN', '[object'];

let candor: Candor;
/** The time a file's turns run at, when the file sets one. */
let fixedNow: string | undefined;
beforeAll(async () => {
  candor = await buildTestCandor({}, { clock: { now: () => (fixedNow === undefined ? new Date() : new Date(fixedNow)) } });
});
afterAll(async () => {
  await candor.close();
});

it('has conversation files for every demo customer', () => {
  const customers = new Set(files.map((file) => conversationFileSchema.parse(parse(readFileSync(join(folder, file), 'utf8'))).customer));
  for (const id of ['demo-drop', 'demo-denied', 'demo-raised', 'demo-frozen', 'demo-fraud', 'demo-aml', 'demo-unknown', 'demo-none', 'demo-group', null]) {
    expect(customers).toContain(id);
  }
});

describe.each(files)('%s', (file) => {
  const spec = conversationFileSchema.parse(parse(readFileSync(join(folder, file), 'utf8')));
  it.each(spec.sessions.map((session, index) => [session.locale, index, session] as const))('%s session %i', async (_locale, index, session) => {
    const conversationId = `test:${file}:${index}`;
    fixedNow = spec.now;
    for (const [turnIndex, turn] of session.turns.entries()) {
      const where = `${file} turn ${turnIndex + 1} (${JSON.stringify(turn.say || turn.topic)})`;
      const result = await candor.turns.handle({
        conversationId,
        channel: 'test',
        customerId: spec.customer,
        locale: session.locale,
        text: turn.say,
        ...(turn.topic ? { topic: turn.topic } : {}),
      });
      const text = result.replies.map((reply) => reply.text).join('\n');
      const labels = result.replies.flatMap((reply) => reply.suggestions.map((s) => s.label));
      if (turn.intent) expect(result.intent, where).toBe(turn.intent);
      if (turn.state) expect(result.state, where).toBe(turn.state);
      if (turn.reasonsShown) expect(result.reasonsShown, where).toEqual(turn.reasonsShown);
      if (turn.act) expect(result.replies[0]?.act, where).toBe(turn.act);
      for (const expected of turn.contains) expect(text, where).toContain(expected);
      for (const label of turn.suggestions) expect(labels, where).toContain(label);
      let from = 0;
      for (const expected of turn.inOrder) {
        const at = text.indexOf(expected, from);
        expect(at, `${where}: "${expected}" in order`).toBeGreaterThanOrEqual(0);
        from = at + expected.length;
      }
      for (const forbidden of [...turn.notContains, ...spec.never, ...globallyForbidden]) {
        expect(text.toLowerCase(), `${where} must not say "${forbidden}"`).not.toContain(forbidden.toLowerCase());
      }
    }
  });
});
