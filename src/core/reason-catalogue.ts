/** How much of a reason may be disclosed: D specific, G group-wide generic, N never. */
export type DisclosureClass = 'D' | 'G' | 'N';

/** One entry of the reason-code catalogue, as loaded from content. */
export interface ReasonEntry {
  code: string;
  category: string;
  disclosure: DisclosureClass;
}

/** Looks up reason codes; an unknown code yields undefined and is treated like an N-class code. */
export interface ReasonCatalogue {
  find(code: string): ReasonEntry | undefined;
}
