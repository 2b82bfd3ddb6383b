// JSON columns are TEXT. A value that cannot be serialised is stored as a note, never as a failed write.

export function toJson(value: unknown): string | null {
  if (value === undefined) return null;
  try {
    return JSON.stringify(value) ?? null;
  } catch (e) {
    return JSON.stringify({ unserializable: e instanceof Error ? e.message : String(e) });
  }
}

export function fromJson(text: string | null | undefined): unknown {
  return text == null ? null : JSON.parse(text);
}
