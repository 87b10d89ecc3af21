/** Opens local mode's adapters over one data folder: SQLite documents + queue, files on disk. */
import path from "node:path";
import { systemClock } from "@alchemist/functions/platform/clock";
import type { Config, LocalModeConfig } from "@alchemist/functions/platform/config";
import type { Deps } from "@alchemist/functions/platform/deps";
import { nodeEgress } from "@alchemist/functions/platform/egress/node-egress";
import { randomIds } from "@alchemist/functions/platform/ids";
import {
  chooseChatModel,
  chooseEmbedder,
  chooseFineTuning,
  chooseSpeechToText,
} from "@alchemist/functions/platform/models/index";
import { choosePayments } from "@alchemist/functions/platform/payments/index";
import type { Clock } from "@alchemist/functions/platform/ports";
import { openDatabase, type SqliteHandle } from "./database.js";
import { openLocalModels, type LocalModels } from "./onnx-models.js";
import { FileBlobStore } from "./file-blobstore.js";
import { SqliteDocStore } from "./sqlite-docstore.js";
import { SqliteKeywordIndex } from "./sqlite-keyword-index.js";
import { SqliteTaskQueue } from "./sqlite-taskqueue.js";

export interface LocalDeps extends Deps {
  readonly config: LocalModeConfig;
  readonly store: SqliteDocStore;
  readonly blobs: FileBlobStore;
  readonly tasks: SqliteTaskQueue;
  readonly local: { readonly db: SqliteHandle; close(): void };
}

export async function openLocalDeps(config: Config, options?: { clock?: Clock }): Promise<LocalDeps> {
  if (config.mode !== "local") {
    throw new Error(
      "local mode's adapters open only with ALCHEMIST_MODE=local (its data folder and host settings)",
    );
  }
  const { dataDir, sqliteSync, modelsDir } = config.local;
  const clock = options?.clock ?? systemClock;
  // The instance's own models load (and are tried) before anything opens: a broken folder stops the start.
  const models: LocalModels = modelsDir ? await openLocalModels(modelsDir) : {};
  const db = openDatabase({ file: path.join(dataDir, "alchemist.sqlite"), synchronous: sqliteSync });
  // LOCAL_MODELS_DIR's embedder, when it has one, is chosen over an OpenAI-compatible one: it was set for this
  // instance alone.
  const [chat, embedder, speech, payments, fineTuning] = await Promise.all([
    chooseChatModel(config),
    models.embedder ?? chooseEmbedder(config),
    chooseSpeechToText(config),
    choosePayments(config, clock),
    chooseFineTuning(config),
  ]);
  const store = new SqliteDocStore(db, clock);
  return {
    config,
    store,
    keywords: new SqliteKeywordIndex(db),
    blobs: new FileBlobStore(path.join(dataDir, "blobs"), clock, { durable: sqliteSync === "FULL" }),
    tasks: new SqliteTaskQueue(db, clock),
    chat,
    embedder,
    ...(models.reranker ? { reranker: models.reranker } : {}),
    ...(speech ? { speech } : {}),
    ...(payments ? { payments } : {}),
    ...(fineTuning ? { fineTuning } : {}),
    egress: nodeEgress({ policy: config.egress }),
    clock,
    ids: randomIds,
    local: { db, close: () => db.close() },
  };
}
