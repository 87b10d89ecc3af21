/**
 * BlobStore on the local disk (local mode's Cloud Storage). Each stored version of an object's bytes is a
 * file of its own, `<root>/data/<generation>`, written once; the object's info lives in
 * `<root>/meta/<path>.json` together with its generation. Renaming that one small file into place is the
 * commit of a put, so a reader sees the old object or the new one, never new bytes under old info, and a
 * put interrupted at any point leaves the previous version whole.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { segments } from "@alchemist/functions/platform/docpath";
import { AppError } from "@alchemist/functions/platform/errors";
import type { BlobInfo, BlobStore, Clock } from "@alchemist/functions/platform/ports";
import { privateDirMode, privateFileMode, storageWriteError } from "./private-files.js";

export type FinalizeListener = (info: BlobInfo) => void;

function checkedPath(p: string): string {
  try {
    return segments(p).join("/");
  } catch {
    throw new AppError("invalid-argument", `Invalid object path "${p}"`);
  }
}

/** The info as stored: the public fields plus the generation holding the bytes. */
interface StoredInfo extends BlobInfo {
  readonly generation: string;
}

const generationPattern = /^[a-z0-9]{1,40}-[a-f0-9]{16}$/;
const maxReadAttempts = 5;

const publicInfo = ({ generation: _generation, ...info }: StoredInfo): BlobInfo => info;
const isMissing = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === "ENOENT";

export class FileBlobStore implements BlobStore {
  private readonly finalizeListeners: FinalizeListener[] = [];
  /** Writes to one path run one at a time, so each put knows the generation it replaces. */
  private readonly writing = new Map<string, Promise<void>>();

  /** Folders known to exist: a put creates its two folders once, not on every write. */
  private readonly folders = new Set<string>();

  /**
   * `durable`: fsync each file before it is renamed into place, so a put survives a power cut, not only a
   * crash (local deps pass it with ALCHEMIST_SQLITE_SYNC=FULL, the database's own setting for the same).
   */
  constructor(
    private readonly root: string,
    private readonly clock: Clock,
    private readonly options: { readonly durable?: boolean } = { durable: true },
  ) {}

  private async ensureFolder(dir: string): Promise<void> {
    if (this.folders.has(dir)) return;
    await fs.mkdir(dir, { recursive: true, mode: privateDirMode });
    this.folders.add(dir);
  }

  /** Called after each completed `put`, like Cloud Storage's object-finalized event. */
  onFinalized(listener: FinalizeListener): void {
    this.finalizeListeners.push(listener);
  }

  private metaFile(p: string): string {
    return path.join(this.root, "meta", ...checkedPath(p).split("/")) + ".json";
  }

  private dataFile(p: string, stored: StoredInfo): string {
    if (!generationPattern.test(stored.generation))
      throw new AppError("internal", `Corrupt object info for "${p}"`);
    return path.join(this.root, "data", stored.generation);
  }

  private async writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
    try {
      await this.writeOnce(file, data);
    } catch (e) {
      if (!isMissing(e)) throw e;
      // A folder removed under the running store (by hand, say): forget what was made and make it again.
      this.folders.clear();
      await this.writeOnce(file, data);
    }
  }

  private async writeOnce(file: string, data: Uint8Array | string): Promise<void> {
    const tmpDir = path.join(this.root, "tmp");
    await this.ensureFolder(tmpDir);
    await this.ensureFolder(path.dirname(file));
    const tmp = path.join(tmpDir, randomBytes(12).toString("hex"));
    try {
      const handle = await fs.open(tmp, "w", privateFileMode);
      try {
        await handle.writeFile(data);
        if (this.options.durable !== false) await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, file);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }

  private async readStored(p: string): Promise<StoredInfo | null> {
    try {
      return JSON.parse(await fs.readFile(this.metaFile(p), "utf8")) as StoredInfo;
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  private async exclusive<T>(p: string, work: () => Promise<T>): Promise<T> {
    const previous = this.writing.get(p) ?? Promise.resolve();
    const run = previous.then(work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.writing.set(p, settled);
    try {
      return await run;
    } finally {
      if (this.writing.get(p) === settled) this.writing.delete(p);
    }
  }

  async put(
    p: string,
    data: Uint8Array,
    options?: { contentType?: string; metadata?: Record<string, string> },
  ): Promise<BlobInfo> {
    const info: BlobInfo = {
      path: checkedPath(p),
      size: data.byteLength,
      contentType: options?.contentType ?? "application/octet-stream",
      metadata: { ...(options?.metadata ?? {}) },
      md5: createHash("md5").update(data).digest("hex"),
      updated: this.clock.nowIso(),
    };
    const stored: StoredInfo = {
      ...info,
      generation: `${Date.now().toString(36)}-${randomBytes(8).toString("hex")}`,
    };
    await this.exclusive(info.path, async () => {
      const previous = await this.readStored(p);
      const file = this.dataFile(p, stored);
      try {
        await this.writeAtomically(file, data);
      } catch (e) {
        throw storageWriteError(e);
      }
      try {
        await this.writeAtomically(this.metaFile(p), JSON.stringify(stored));
      } catch (e) {
        await fs.rm(file, { force: true });
        throw storageWriteError(e);
      }
      // The old bytes are unreachable now; a reader that got the old info retries and finds the new one.
      if (previous) await fs.rm(this.dataFile(p, previous), { force: true });
    });
    for (const listener of this.finalizeListeners) listener(info);
    return info;
  }

  async stat(p: string): Promise<BlobInfo | null> {
    const stored = await this.readStored(p);
    return stored ? publicInfo(stored) : null;
  }

  async get(p: string): Promise<{ data: Buffer; info: BlobInfo } | null> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.readStored(p);
      if (!stored) return null;
      try {
        return { data: await fs.readFile(this.dataFile(p, stored)), info: publicInfo(stored) };
      } catch (e) {
        // Replaced or deleted between the two reads: read the info again.
        if (!isMissing(e)) throw e;
        if (attempt >= maxReadAttempts)
          throw new AppError("unavailable", `"${p}" is changing too fast to be read`);
      }
    }
  }

  async delete(p: string): Promise<void> {
    await this.exclusive(checkedPath(p), async () => {
      const stored = await this.readStored(p);
      if (!stored) return;
      await fs.rm(this.metaFile(p), { force: true });
      await fs.rm(this.dataFile(p, stored), { force: true });
    });
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const metaRoot = path.join(this.root, "meta");
    const out: BlobInfo[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (isMissing(e)) return;
        throw e;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name.endsWith(".json")) {
          let stored: StoredInfo;
          try {
            stored = JSON.parse(await fs.readFile(full, "utf8")) as StoredInfo;
          } catch (e) {
            if (isMissing(e)) continue; // deleted while listing
            throw e;
          }
          if (stored.path.startsWith(prefix)) out.push(publicInfo(stored));
        }
      }
    };
    // Walk only the folder the prefix names, not the whole bucket.
    const dirPart = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    await walk(dirPart ? path.join(metaRoot, ...checkedPath(dirPart).split("/")) : metaRoot);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}
