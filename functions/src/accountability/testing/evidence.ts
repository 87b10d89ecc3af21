/** A retrieved passage as the accountability checks receive it, for tests: one chunk of a document of its own. */
import type { Evidence } from "../assess.js";

export const evidence = (ref: string, docName: string, text: string, score = 0.8): Evidence => ({
  ref,
  kbId: "kb",
  docId: docName,
  docName,
  chunkId: `${docName}#${ref}`,
  text,
  score,
  vectorScore: score,
  keywordScore: score,
  location: { startOffset: 0, endOffset: text.length, headingPath: [] },
});
