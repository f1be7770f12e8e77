import type { ReasonCatalogue } from '../core/reason-catalogue.js';
import type { CatalogueEntry, LoadedContent } from './loaded-content.js';

/** The catalogue port with each entry's help article. */
export interface ContentReasonCatalogue extends ReasonCatalogue {
  find(code: string): CatalogueEntry | undefined;
}

/** Creates the reason catalogue from loaded content; unknown codes yield undefined (treated like N-class). */
export function createReasonCatalogue(content: LoadedContent): ContentReasonCatalogue {
  const byCode = new Map(content.reasons.map((entry) => [entry.code, entry]));
  return {
    find: function findReason(code) {
      return byCode.get(code);
    },
  };
}
