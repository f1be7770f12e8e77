import { z } from 'zod';
import { DecisionReasonSchema } from '../core/decision.js';

/** Where help articles live; reason links must point there. */
export const HELP_CENTRE_ORIGIN = 'https://help.candor.example/';

/** A help-centre article's address: https, under the help centre's origin. */
export const helpArticleUrl = z
  .url({ protocol: /^https$/ })
  .refine((url) => url.startsWith(HELP_CENTRE_ORIGIN), `help articles live under ${HELP_CENTRE_ORIGIN}`);

/** The schema of `templates/reasons.yaml`: the reason-code catalogue shared by every locale. */
export const ReasonCatalogueFileSchema = z
  .object({
    /** The categories reasons may belong to; each locale names them in its own reasons.yaml. */
    categories: z.array(z.string().regex(/^[a-z][a-z_]*$/)).min(1),
    reasons: z
      .array(
        z
          .object({
            code: DecisionReasonSchema.shape.code,
            category: z.string(),
            /** D: specific reason shown; G: group-wide, generic; N: never disclosed. */
            disclosure: z.enum(['D', 'G', 'N']),
            helpArticle: helpArticleUrl.optional(),
            /** The same article in another locale, used for that locale's replies instead of `helpArticle`. */
            helpArticleLocaleUrls: z.object({ 'zh-CN': helpArticleUrl.optional() }).strict().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** The parsed reason-code catalogue file. */
export type ReasonCatalogueFile = z.infer<typeof ReasonCatalogueFileSchema>;

/** A reason's short name as a button or list item; the composer shows it, so it stays short. */
export const REASON_LABEL_MAX_LENGTH = 45;

/** One word or phrase customers use for a reason: lower-case, trimmed, single-spaced. */
const reasonAlias = z
  .string()
  .min(1)
  .max(40)
  .refine((alias) => alias === alias.toLowerCase(), 'aliases are written in lower case')
  .refine((alias) => alias === alias.trim().replace(/\s+/g, ' '), 'aliases have no leading, trailing or repeated spaces');

/**
 * The schema of `templates/<locale>/reasons.yaml`: category names and, per D/G code, its texts. Every text part is
 * optional here because which parts a code needs depends on its disclosure class, which only the catalogue knows;
 * the content check reports a D/G code missing a part, and an N code having any.
 */
export const LocaleReasonFileSchema = z
  .object({
    categories: z.record(z.string(), z.string().min(2)),
    reasons: z.record(
      z.string(),
      z
        .object({
          /** What the factor is, in the customer's terms (Handlebars, static text). */
          meaning: z.string().min(8).optional(),
          /** One truthful step the customer can take (Handlebars, static text). */
          advice: z.string().min(8).optional(),
          /** The label of the reason's help article; required when the catalogue gives one. */
          helpTitle: z.string().min(2).optional(),
          /** A short name for the reason, as a button or list item (Handlebars, static text). */
          label: z.string().min(2).max(REASON_LABEL_MAX_LENGTH).optional(),
          /** Words customers use to refer to the reason in this locale, to resolve "tell me more about the late payments". */
          aliases: z.array(reasonAlias).min(1).optional(),
          /** The longer text for a follow-up about this one reason (Handlebars, static text each). */
          detail: z
            .object({
              /** What the factor means, in plain words. */
              means: z.string().min(8),
              /** Why it matters for a credit limit. */
              matters: z.string().min(8),
              /** What the customer can do about it. */
              steps: z.string().min(8),
              /** How long it tends to count, where something truthful can be said. */
              lasts: z.string().min(8).optional(),
            })
            .strict()
            .optional(),
        })
        .strict(),
    ),
  })
  .strict();

/** One locale's reason texts. */
export type LocaleReasonFile = z.infer<typeof LocaleReasonFileSchema>;
