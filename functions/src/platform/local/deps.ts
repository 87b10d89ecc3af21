/** Opens local mode's adapters over one data folder: SQLite documents + queue, files on disk. */
import path from "node:path";
import { systemClock } from "../clock.js";
import type { Config } from "../config.js";
import type { Deps } from "../deps.js";
import { nodeEgress } from "../egress/node-egress.js";
import { randomIds } from "../ids.js";
import { chooseChatModel, chooseEmbedder } from "../models/index.js";
import type { Clock } from "../ports.js";
import { openDatabase, type SqliteHandle } from "./database.js";
import { FileBlobStore } from "./file-blobstore.js";
import { SqliteDocStore } from "./sqlite-docstore.js";
import { SqliteKeywordIndex } from "./sqlite-keyword-index.js";
import { SqliteTaskQueue } from "./sqlite-taskqueue.js";

export interface LocalDeps extends Deps {
  readonly store: SqliteDocStore;
  readonly blobs: FileBlobStore;
  readonly tasks: SqliteTaskQueue;
  readonly local: { readonly db: SqliteHandle; close(): void };
}

export async function openLocalDeps(config: Config, options?: { clock?: Clock }): Promise<LocalDeps> {
  const clock = options?.clock ?? systemClock;
  const db = openDatabase({
    file: path.join(config.dataDir, "alchemist.sqlite"),
    synchronous: config.sqliteSync,
  });
  const [chat, embedder] = await Promise.all([chooseChatModel(config), chooseEmbedder(config)]);
  const store = new SqliteDocStore(db, clock);
  return {
    config,
    store,
    keywords: new SqliteKeywordIndex(db),
    blobs: new FileBlobStore(path.join(config.dataDir, "blobs"), clock, {
      durable: config.sqliteSync === "FULL",
    }),
    tasks: new SqliteTaskQueue(db, clock),
    chat,
    embedder,
    egress: nodeEgress({ policy: config.egress }),
    clock,
    ids: randomIds,
    local: { db, close: () => db.close() },
  };
}
