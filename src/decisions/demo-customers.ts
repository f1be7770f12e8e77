import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CandorError } from '../core/candor-error.js';
import { CustomerDecisionsSchema } from '../core/decision.js';
import type { CustomerDecisions } from '../core/decision.js';

/** One demo customer: what the demo page shows, and the engine response served for them. */
export const DemoCustomerSchema = z.object({
  /** A name for the demo page only; never part of the engine response. */
  displayName: z.string().min(1).max(80),
  /** What this case demonstrates, for the demo page and the docs. */
  description: z.string().min(1).max(400),
  /** Exactly the body the decision engine returns for this customer. */
  response: CustomerDecisionsSchema,
});

/** A demo customer. */
export type DemoCustomer = z.infer<typeof DemoCustomerSchema>;

/** The demo data file: unique ids, decisions newest first, ranks 1..n without gaps. */
export const DemoCustomersFileSchema = z
  .object({ customers: z.array(DemoCustomerSchema).min(1) })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.customers.forEach((customer, index) => {
      const id = customer.response.customerId;
      if (seen.has(id)) {
        ctx.addIssue({ code: 'custom', path: ['customers', index, 'response', 'customerId'], message: `duplicate customer id ${id}` });
      }
      seen.add(id);
      customer.response.decisions.forEach((decision, d) => {
        const path = ['customers', index, 'response', 'decisions', d];
        const next = customer.response.decisions[d + 1];
        if (next !== undefined && Date.parse(next.decidedAt) > Date.parse(decision.decidedAt)) {
          ctx.addIssue({ code: 'custom', path: [...path, 'decidedAt'], message: 'decisions must be newest first' });
        }
        const ranks = decision.reasons.map((reason) => reason.rank).sort((a, b) => a - b);
        if (ranks.some((rank, r) => rank !== r + 1)) {
          ctx.addIssue({ code: 'custom', path: [...path, 'reasons'], message: 'reason ranks must be 1..n without gaps or repeats' });
        }
        if (decision.currency !== customer.response.currentLimit.currency) {
          ctx.addIssue({ code: 'custom', path: [...path, 'currency'], message: 'decision currency differs from the current limit' });
        }
      });
    });
  });

/** The validated demo data: customers by id, in file order. */
export interface DemoCustomers {
  /** Ids, display names and descriptions for a demo page, in file order. */
  list(): { id: string; displayName: string; description: string }[];
  /** The engine response for one customer, or undefined when the id is not a demo customer. */
  responseFor(customerId: string): CustomerDecisions | undefined;
}

/** Returns the path of the demo customers file shipped with Candor. */
export function defaultDemoCustomersPath(): string {
  return fileURLToPath(new URL('../../fixtures/demo-customers.json', import.meta.url));
}

/** Validates parsed demo data and indexes it by customer id; throws `content_invalid` listing every problem. */
export function parseDemoCustomers(input: unknown, source = 'demo customers'): DemoCustomers {
  const parsed = DemoCustomersFileSchema.safeParse(input);
  if (!parsed.success) {
    throw new CandorError('content_invalid', `${source} › ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  }
  const customers = parsed.data.customers;
  const byId = new Map(customers.map((customer) => [customer.response.customerId, customer.response]));
  return {
    list: () =>
      customers.map((customer) => ({
        id: customer.response.customerId,
        displayName: customer.displayName,
        description: customer.description,
      })),
    responseFor: (customerId) => {
      const response = byId.get(customerId);
      // A copy, so no caller can change what the next lookup returns.
      return response === undefined ? undefined : structuredClone(response);
    },
  };
}

/** Reads and validates the demo customers file (synchronously, at start-up). */
export function loadDemoCustomers(path: string = defaultDemoCustomersPath()): DemoCustomers {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CandorError('content_invalid', `${path} › cannot be read`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CandorError('content_invalid', `${path} › not valid JSON`, { cause: error });
  }
  return parseDemoCustomers(json, path);
}
