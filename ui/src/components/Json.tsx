export function Json({ value, maxHeight }: { value: unknown; maxHeight?: number }) {
  const text = value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return <pre className="json" style={maxHeight ? { maxHeight } : undefined}>{text}</pre>;
}
