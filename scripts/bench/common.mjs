// Shared by the bench phases: where the compiled functions are, and the shapes of the bench's searches.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A module of the compiled functions (`npm run build -w functions` writes functions/lib). */
export const lib = (file) => pathToFileURL(path.join(root, "functions/lib", file)).href;

export const scopeOf = (kbId) => `tenants/bench/knowledgeBases/${kbId}/chunks`;

/** Candidates per retriever, as the Knowledge Vault's search asks for them (max(50, k × 8)). */
export const candidates = 50;

export const vectorSpec = (kbId, queryVector) => ({
  collection: scopeOf(kbId),
  vectorField: "embedding",
  queryVector,
  limit: candidates,
  distanceMeasure: "COSINE",
});

export const paths = {
  maintained: (dataDir) => path.join(dataDir, "maintained-answers.json"),
};

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
