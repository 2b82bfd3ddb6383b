// Workflow names a trader can tell apart: an import never silently adds a second workflow of the same name.

/** `name`, or `name (2)`, `name (3)`, … : the first not in `taken` (compared ignoring case and outer spaces). */
export function uniqueName(name: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((n) => n.trim().toLowerCase()));
  if (!used.has(name.trim().toLowerCase())) return name;
  // An import of "X (2)" when "X (2)" exists continues from X, not "X (2) (2)".
  const base = name.replace(/ \(\d+\)$/, '');
  for (let n = 2; ; n++) {
    const candidate = `${base} (${n})`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}
