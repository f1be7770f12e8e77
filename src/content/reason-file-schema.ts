import { z } from 'zod';
import { DecisionReasonSchema } from '../core/decision.js';

/** Where help articles live; reason links must point there. */
export const HELP_CENTRE_ORIGIN = 'https://help.candor.example/';

const helpArticleUrl = z
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
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** The parsed reason-code catalogue file. */
export type ReasonCatalogueFile = z.infer<typeof ReasonCatalogueFileSchema>;

/** The schema of `templates/<locale>/reasons.yaml`: category names and, per D/G code, its meaning and one step. */
export const LocaleReasonFileSchema = z
  .object({
    categories: z.record(z.string(), z.string().min(2)),
    reasons: z.record(
      z.string(),
      z
        .object({
          /** What the factor is, in the customer's terms (Handlebars, static text). */
          meaning: z.string().min(8),
          /** One truthful step the customer can take (Handlebars, static text). */
          advice: z.string().min(8),
          /** The label of the reason's help article; required when the catalogue gives one. */
          helpTitle: z.string().min(2).optional(),
        })
        .strict(),
    ),
  })
  .strict();

/** One locale's reason texts. */
export type LocaleReasonFile = z.infer<typeof LocaleReasonFileSchema>;
