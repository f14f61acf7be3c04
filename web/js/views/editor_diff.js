// A line diff (longest common subsequence) for an article's revisions: [op, line] with op "=", "-"
// (only in the older text) or "+" (only in the newer). Bounded: past 1,500 lines a side the texts
// are shown as removed and added wholesale rather than making the browser compute millions of cells.
const MAX_LINES = 1500;

export function lineDiff(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length > MAX_LINES || b.length > MAX_LINES)
    return [...a.map((x) => ['-', x]), ...b.map((x) => ['+', x])];
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push(['=', a[i]]);
      i += 1;
      j += 1;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      out.push(['-', a[i]]);
      i += 1;
    } else {
      out.push(['+', b[j]]);
      j += 1;
    }
  }
  while (i < n) {
    out.push(['-', a[i]]);
    i += 1;
  }
  while (j < m) {
    out.push(['+', b[j]]);
    j += 1;
  }
  return out;
}
