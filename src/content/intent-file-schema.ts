import { z } from 'zod';
import { helpArticleUrl } from './reason-file-schema.js';

const escalationTrigger = z.enum(['asked_for_person', 'review_request', 'complaint']);

/** The schema of one `intents/<id>.yaml` file. */
export const IntentFileSchema = z
  .object({
    id: z.string().regex(/^(?:[a-z]+)(?:\.[a-z_]+)+$/, 'intent ids look like `limit.why_dropped`'),
    description: z.string().min(10),
    /** Short button label per locale, used in clarifications and menus. */
    label: z.object({ en: z.string().min(2).max(60), 'zh-CN': z.string().min(2).max(60) }).strict(),
    examples: z
      .object({
        en: z.array(z.string().min(2).max(300)).min(20),
        'zh-CN': z.array(z.string().min(1).max(300)).min(12),
      })
      .strict(),
    /** Deep-link aliases for `/chat?topic=<alias>`. */
    aliases: z.array(z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)).default([]),
    /** Help-centre articles linked from the answer, per locale. */
    helpArticles: z
      .array(
        z
          .object({
            title: z.object({ en: z.string().min(2), 'zh-CN': z.string().min(1) }).strict(),
            url: z.url({ protocol: /^https$/ }),
            /** The same article in another locale, used for that locale's replies instead of `url`. */
            localeUrls: z.object({ 'zh-CN': helpArticleUrl.optional() }).strict().optional(),
          })
          .strict(),
      )
      .default([]),
    flags: z
      .object({
        /** The answer uses the customer's own decisions when there are any. */
        needsDecision: z.boolean().default(false),
        /** Answering hands the conversation to a person with this trigger. */
        escalate: escalationTrigger.nullable().default(null),
        /** Shown in the out-of-scope menu of what Candor can help with. */
        inMenu: z.boolean().default(false),
      })
      .strict()
      .default({ needsDecision: false, escalate: null, inMenu: false }),
  })
  .strict();

/** One intent's content. */
export type IntentFile = z.infer<typeof IntentFileSchema>;

/** The schema of `intents/_oos.yaml`: training lines for what Candor does not handle. */
export const OutOfScopeFileSchema = z
  .object({
    id: z.literal('oos'),
    description: z.string().min(10),
    examples: z
      .object({
        en: z.array(z.string().min(2).max(300)).min(20),
        'zh-CN': z.array(z.string().min(1).max(300)).min(12),
      })
      .strict(),
  })
  .strict();

/** The out-of-scope training content. */
export type OutOfScopeFile = z.infer<typeof OutOfScopeFileSchema>;
