/** A line diff (longest common subsequence) for the deploy dialog. Pure. */
export type DiffRow =
  | { readonly kind: 'same'; readonly left: string; readonly right: string; readonly leftNo: number; readonly rightNo: number }
  | { readonly kind: 'removed'; readonly left: string; readonly leftNo: number }
  | { readonly kind: 'added'; readonly right: string; readonly rightNo: number };

export function diffLines(before: string, after: string): DiffRow[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Flows are small (hundreds of lines): the quadratic table is a few hundred KB at most.
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const rows: DiffRow[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) rows.push({ kind: 'same', left: a[i], right: b[j], leftNo: ++i, rightNo: ++j });
    else if (j < b.length && (i >= a.length || lcs[i][j + 1] >= lcs[i + 1][j])) rows.push({ kind: 'added', right: b[j], rightNo: ++j });
    else rows.push({ kind: 'removed', left: a[i], leftNo: ++i });
  }
  return rows;
}
