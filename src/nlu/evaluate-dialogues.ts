import { z } from 'zod';
import { LOCALES, type Locale } from '../core/locale.js';
import type { TurnHandler } from '../core/turn.js';

const dialogueTurnSchema = z
  .object({
    say: z.string().min(1),
    /** The intent the turn should be taken as. */
    intent: z.string().min(1),
    /** The reason codes the reply must show, in order. */
    reasonsShown: z.array(z.string()),
  })
  .strict();

/** The schema of a multi-turn evaluation file: dialogues of one customer in one locale, each turn with its expected intent and reasons. */
export const dialogueSetSchema = z
  .object({
    dialogues: z
      .array(
        z
          .object({
            id: z.string().min(1),
            customer: z.string().nullable(),
            locale: z.enum(LOCALES),
            turns: z.array(dialogueTurnSchema).min(1),
          })
          .strict(),
      )
      .min(1)
      .refine((dialogues) => new Set(dialogues.map((dialogue) => dialogue.id)).size === dialogues.length, 'dialogue ids must be unique'),
  })
  .strict();

/** A parsed multi-turn evaluation set. */
export type DialogueSet = z.infer<typeof dialogueSetSchema>;

/** A turn that did not get the expected intent and reasons. */
export interface DialogueTurnMiss {
  dialogue: string;
  turn: number;
  say: string;
  expected: { intent: string; reasonsShown: string[] };
  got: { intent: string | null; reasonsShown: string[]; act: string | null };
}

/** The share of turns taken right, overall and per locale, with the misses. */
export interface DialogueEvaluation {
  dialogues: number;
  turns: number;
  /** Turns with both the right intent and exactly the right reasons in order. */
  correct: number;
  accuracy: number;
  intentAccuracy: number;
  byLocale: Record<Locale, { turns: number; correct: number; accuracy: number }>;
  misses: DialogueTurnMiss[];
}

/** Plays every dialogue through the real turn handler, each in a fresh conversation, and scores each turn's intent and reasons. */
export async function evaluateDialogues(turns: TurnHandler, set: DialogueSet, conversationPrefix: string): Promise<DialogueEvaluation> {
  let total = 0;
  let correct = 0;
  let rightIntent = 0;
  const byLocale = Object.fromEntries(LOCALES.map((locale) => [locale, { turns: 0, correct: 0, accuracy: 0 }])) as DialogueEvaluation['byLocale'];
  const misses: DialogueTurnMiss[] = [];
  for (const dialogue of set.dialogues) {
    const conversationId = `${conversationPrefix}:${dialogue.id}`;
    for (const [index, turn] of dialogue.turns.entries()) {
      const result = await turns.handle({ conversationId, channel: 'test', customerId: dialogue.customer, locale: dialogue.locale, text: turn.say });
      const isIntentRight = result.intent === turn.intent;
      const isRight = isIntentRight && sameList(result.reasonsShown, turn.reasonsShown);
      total += 1;
      byLocale[dialogue.locale].turns += 1;
      if (isIntentRight) rightIntent += 1;
      if (isRight) {
        correct += 1;
        byLocale[dialogue.locale].correct += 1;
      } else {
        misses.push({
          dialogue: dialogue.id,
          turn: index + 1,
          say: turn.say,
          expected: { intent: turn.intent, reasonsShown: turn.reasonsShown },
          got: { intent: result.intent, reasonsShown: result.reasonsShown, act: result.replies.at(-1)?.act ?? null },
        });
      }
    }
  }
  for (const locale of LOCALES) byLocale[locale].accuracy = ratio(byLocale[locale].correct, byLocale[locale].turns);
  return { dialogues: set.dialogues.length, turns: total, correct, accuracy: ratio(correct, total), intentAccuracy: ratio(rightIntent, total), byLocale, misses };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}
