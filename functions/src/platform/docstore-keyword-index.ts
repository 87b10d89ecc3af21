/**
 * A KeywordIndex over any DocStore, written to Firestore's limits (Firebase mode uses it; it needs nothing
 * of Firebase, and its contract suite runs it over the SQLite store): Firestore has no full-text search, so each entry stores its distinct analyzed terms (an indexed array)
 * and their counts (an unindexed map). A search fetches candidates with `array-contains-any` (at most 30
 * terms, Firestore's limit), reads document frequencies with `count()` aggregations, and scores the
 * candidates with BM25 in memory. Entries live beside the scope: `<scope>_keywords/{id}`.
 *
 * Trade-off: candidates are capped (`maxCandidates`), so on a very large scope a query made only of very
 * common terms ranks the first candidates Firestore returns rather than all matches.
 */
import { tokenize } from "./text/analyzer.js";
import {
  FieldOps,
  type DocStore,
  type KeywordEntry,
  type KeywordHit,
  type KeywordIndex,
  type TermStats,
} from "./ports.js";

const k1 = 1.2;
const b = 0.75;
/** Firestore's limit for `array-contains-any`. */
const maxQueryTerms = 30;
const maxCandidates = 500;
/** Terms kept per entry: a chunk rarely has more distinct terms; the cap bounds index entries per document. */
const maxTermsPerEntry = 600;
const writeBatch = 400;
/**
 * How long this instance reuses a document frequency it just counted. A turn searches, then weighs the
 * question's terms for its confidence (`termStats`) a few milliseconds later: the same `count()`s, which
 * Firestore bills per 1,000 index entries read. Writes through this instance forget their scope's counts at
 * once; another instance's writes show within this time.
 */
const dfReuseMs = 2000;

interface StoredEntry {
  readonly group: string;
  readonly terms: string[];
  readonly tf: Record<string, number>;
  readonly length: number;
}

const entriesOf = (scope: string): string => `${scope}_keywords`;
const statsOf = (scope: string): string => `${scope}_keywords_stats/totals`;

function analyze(entry: KeywordEntry): StoredEntry {
  const tf: Record<string, number> = {};
  const terms = tokenize(entry.text);
  for (const t of terms) tf[t] = (tf[t] ?? 0) + 1;
  const distinct = Object.keys(tf)
    .sort((a, c) => (tf[c] as number) - (tf[a] as number) || (a < c ? -1 : 1))
    .slice(0, maxTermsPerEntry);
  const kept: Record<string, number> = {};
  for (const t of distinct) kept[t] = tf[t] as number;
  return { group: entry.group, terms: distinct, tf: kept, length: terms.length };
}

/** Firestore map keys may not contain some characters used as path syntax; terms are escaped for the map. */
const mapKey = (term: string): string => encodeURIComponent(term).replace(/\./g, "%2E");

function toStored(e: StoredEntry): Record<string, unknown> {
  const tf: Record<string, number> = {};
  for (const [t, n] of Object.entries(e.tf)) tf[mapKey(t)] = n;
  return { group: e.group, terms: e.terms, tf, length: e.length };
}

export function docStoreKeywordIndex(store: DocStore): KeywordIndex {
  const recentDf = new Map<string, { readonly at: number; readonly df: Promise<number> }>();
  const dfKey = (scope: string, term: string) => `${scope}\u0000${term}`;

  /** Entries of `scope` that hold `term`, counted at most once per `dfReuseMs` (see there). */
  function documentFrequency(scope: string, term: string): Promise<number> {
    const key = dfKey(scope, term);
    const now = performance.now();
    const known = recentDf.get(key);
    if (known && now - known.at < dfReuseMs) return known.df;
    if (recentDf.size > 5000) {
      for (const [k, v] of recentDf) if (now - v.at >= dfReuseMs) recentDf.delete(k);
    }
    const df = store.count({
      collection: entriesOf(scope),
      where: [{ field: "terms", op: "array-contains", value: term }],
    });
    recentDf.set(key, { at: now, df });
    // A failed count is not reused.
    df.catch(() => recentDf.delete(key));
    return df;
  }

  function forgetCounts(scope: string): void {
    const prefix = dfKey(scope, "");
    for (const key of recentDf.keys()) if (key.startsWith(prefix)) recentDf.delete(key);
  }

  async function removePaths(scope: string, paths: readonly string[]): Promise<void> {
    for (let i = 0; i < paths.length; i += writeBatch) {
      const slice = paths.slice(i, i + writeBatch);
      const existing = await store.getAll<StoredEntry>(slice);
      let removedEntries = 0;
      let removedLength = 0;
      const batch = store.batch();
      existing.forEach((snap, j) => {
        if (!snap) return;
        removedEntries++;
        removedLength += snap.data.length;
        batch.delete(slice[j] as string);
      });
      if (removedEntries === 0) continue;
      batch.set(
        statsOf(scope),
        { entries: FieldOps.increment(-removedEntries), totalLength: FieldOps.increment(-removedLength) },
        { merge: true },
      );
      await batch.commit();
      // After each commit: a count started meanwhile may have read the entries as they were.
      forgetCounts(scope);
    }
  }

  return {
    async upsert(scope, entries) {
      for (let i = 0; i < entries.length; i += writeBatch) {
        const slice = entries.slice(i, i + writeBatch);
        const paths = slice.map((e) => `${entriesOf(scope)}/${e.id}`);
        // Reading what is replaced keeps the totals right when a step is retried.
        const existing = await store.getAll<StoredEntry>(paths);
        let entryDelta = 0;
        let lengthDelta = 0;
        const batch = store.batch();
        slice.forEach((entry, j) => {
          const stored = analyze(entry);
          const before = existing[j];
          entryDelta += before ? 0 : 1;
          lengthDelta += stored.length - (before?.data.length ?? 0);
          batch.set(paths[j] as string, toStored(stored));
        });
        batch.set(
          statsOf(scope),
          { entries: FieldOps.increment(entryDelta), totalLength: FieldOps.increment(lengthDelta) },
          { merge: true },
        );
        await batch.commit();
        forgetCounts(scope);
      }
    },

    async remove(scope, ids) {
      await removePaths(
        scope,
        ids.map((id) => `${entriesOf(scope)}/${id}`),
      );
    },

    async removeGroup(scope, group) {
      const members = await store.query({
        collection: entriesOf(scope),
        where: [{ field: "group", op: "==", value: group }],
      });
      await removePaths(
        scope,
        members.map((m) => m.path),
      );
    },

    async termStats(scope, text): Promise<TermStats> {
      const terms = [...new Set(tokenize(text))].slice(0, maxQueryTerms);
      const [stats, ...dfs] = await Promise.all([
        store.get<{ entries?: number }>(statsOf(scope)),
        ...terms.map((t) => documentFrequency(scope, t)),
      ]);
      return {
        entries: stats?.data.entries ?? 0,
        terms: terms.map((term, i) => ({ term, df: dfs[i] as number })),
      };
    },

    async search(scope, query, limit): Promise<KeywordHit[]> {
      const terms = [...new Set(tokenize(query))].slice(0, maxQueryTerms);
      if (terms.length === 0 || limit <= 0) return [];
      const collection = entriesOf(scope);
      const [candidates, stats, ...dfs] = await Promise.all([
        store.query<StoredEntry>({
          collection,
          where: [{ field: "terms", op: "array-contains-any", value: terms }],
          limit: maxCandidates,
        }),
        store.get<{ entries?: number; totalLength?: number }>(statsOf(scope)),
        ...terms.map((t) => documentFrequency(scope, t)),
      ]);
      if (candidates.length === 0) return [];
      const n = Math.max(stats?.data.entries ?? candidates.length, candidates.length);
      const avgdl = Math.max(1, (stats?.data.totalLength ?? 0) / Math.max(1, n));
      const idf = terms.map((_, i) => {
        const df = dfs[i] as number;
        return Math.log(1 + (n - df + 0.5) / (df + 0.5));
      });
      const hits = candidates.map((c) => {
        let score = 0;
        terms.forEach((t, i) => {
          const f = c.data.tf[mapKey(t)] ?? 0;
          if (f > 0)
            score += ((idf[i] as number) * (f * (k1 + 1))) / (f + k1 * (1 - b + (b * c.data.length) / avgdl));
        });
        return { id: c.id, score };
      });
      return hits
        .filter((h) => h.score > 0)
        .sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1))
        .slice(0, limit);
    },
  };
}
