/**
 * A small per-instance cache of lookups by id that public endpoints make on every request (a webhook's
 * connection, a widget's key): each value is loaded at most once every `ttlMs` per instance. A change made on
 * this instance applies at once (`forget`); other instances see it within `ttlMs`. A failed load is not kept.
 */
export interface TtlCache<V> {
  /** The value cached for `id`, or the one `load` gives (then cached). */
  get(id: string, load: () => Promise<V>): Promise<V>;
  forget(id: string): void;
}

export function ttlCache<V>(ttlMs: number, maxEntries = 1000): TtlCache<V> {
  const entries = new Map<string, { at: number; value: Promise<V> }>();
  const forget = (id: string): void => void entries.delete(id);
  return {
    get(id, load) {
      const hit = entries.get(id);
      const now = Date.now();
      if (hit && now - hit.at < ttlMs) return hit.value;
      const value = load();
      entries.set(id, { at: now, value });
      value.catch(() => forget(id));
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      return value;
    },
    forget,
  };
}
