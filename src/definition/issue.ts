/** A problem found while loading, before it is given a line and column. */

/** Where and what: resolved to a ValidationIssue (file, line, column) by the loader. */
export interface RawIssue {
  /** JSON pointer of the value the problem is about ('' for the whole document). */
  readonly pointer: string;
  readonly message: string;
  readonly hint?: string;
  /** Point at the member's key (an unknown or misplaced key) rather than at its value. */
  readonly at?: 'key' | 'value';
  /** Exact character offset in the source, when known better than the pointer (YAML errors, expressions). */
  readonly offset?: number;
  /** Character index inside the string value at `pointer` (an expression inside a scalar). */
  readonly stringIndex?: number;
  /** Another place the message refers to (e.g. the first use of a duplicated id); its line is added to the hint. */
  readonly related?: { readonly pointer: string; readonly label: string };
}
