import type { DecisionReason } from '../core/decision.js';
import type { ReasonCatalogue, ReasonEntry } from '../core/reason-catalogue.js';

/** The most principal reasons an explanation may show (Regulation B practice: no more than four). */
export const MAX_PRINCIPAL_REASONS = 4;

/** A reason chosen for display, with its catalogue entry. */
export interface SelectedReason {
  code: string;
  rank: number;
  entry: ReasonEntry;
}

/** What may be said about a decision's reasons; a value, never an exception. */
export type ReasonSelection =
  /** The decision carries no reason codes: say so and offer a person. */
  | { kind: 'none' }
  /** An N-class or unknown code: the one neutral text; everything is suppressed. */
  | { kind: 'neutral'; restricted: boolean; codesSuppressed: string[] }
  | { kind: 'reasons'; shown: SelectedReason[]; codesSuppressed: string[]; isGroupOnly: boolean };

/** Orders reasons by the engine's rank (most important first), keeping the engine's order on ties and one entry per code. */
export function sortByRank(reasons: readonly DecisionReason[]): DecisionReason[] {
  const indexed = reasons.map((reason, index) => ({ reason, index }));
  indexed.sort((a, b) => a.reason.rank - b.reason.rank || a.index - b.index);
  const seen = new Set<string>();
  const sorted: DecisionReason[] = [];
  for (const { reason } of indexed) {
    if (seen.has(reason.code)) continue;
    seen.add(reason.code);
    sorted.push(reason);
  }
  return sorted;
}

/**
 * Applies DESIGN.md's explanation rules to one decision's codes: any N-class or unknown code forces the neutral
 * text (restricted only for N-class); otherwise at most four principal reasons in rank order, and never only
 * group-wide (G) reasons while specific (D) ones exist.
 */
export function selectReasons(reasons: readonly DecisionReason[], catalogue: ReasonCatalogue): ReasonSelection {
  const ranked = sortByRank(reasons);
  if (ranked.length === 0) return { kind: 'none' };

  const entries = ranked.map((reason) => ({ ...reason, entry: catalogue.find(reason.code) }));
  const hasUnknown = entries.some((reason) => reason.entry === undefined);
  const hasRestricted = entries.some((reason) => reason.entry?.disclosure === 'N');
  if (hasUnknown || hasRestricted) {
    return { kind: 'neutral', restricted: hasRestricted, codesSuppressed: ranked.map((reason) => reason.code) };
  }

  const known = entries as SelectedReason[];
  let shown = known.slice(0, MAX_PRINCIPAL_REASONS);
  const specific = known.filter((reason) => reason.entry.disclosure === 'D');
  if (specific.length > 0 && !shown.some((reason) => reason.entry.disclosure === 'D')) {
    // The top four are all group-wide: the specific factors come first, group-wide ones fill what is left.
    const groupWide = known.filter((reason) => reason.entry.disclosure === 'G');
    const chosen = new Set([...specific, ...groupWide].slice(0, MAX_PRINCIPAL_REASONS));
    shown = known.filter((reason) => chosen.has(reason));
  }
  const shownCodes = new Set(shown.map((reason) => reason.code));
  return {
    kind: 'reasons',
    shown,
    codesSuppressed: ranked.filter((reason) => !shownCodes.has(reason.code)).map((reason) => reason.code),
    isGroupOnly: specific.length === 0,
  };
}
