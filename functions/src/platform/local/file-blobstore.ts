/**
 * BlobStore on the local disk (local mode's Cloud Storage). Objects live under `<root>/objects/<path>`,
 * their metadata under `<root>/meta/<path>.json`; both are written to a temp file and renamed into place,
 * so a reader never sees half an object.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { segments } from "../docpath.js";
import { AppError } from "../errors.js";
import type { BlobInfo, BlobStore, Clock } from "../ports.js";

export type FinalizeListener = (info: BlobInfo) => void;

function checkedPath(p: string): string {
  try {
    return segments(p).join("/");
  } catch {
    throw new AppError("invalid-argument", `Invalid object path "${p}"`);
  }
}

export class FileBlobStore implements BlobStore {
  private readonly finalizeListeners: FinalizeListener[] = [];

  constructor(
    private readonly root: string,
    private readonly clock: Clock,
  ) {}

  /** Called after each completed `put`, like Cloud Storage's object-finalized event. */
  onFinalized(listener: FinalizeListener): void {
    this.finalizeListeners.push(listener);
  }

  private objectFile(p: string): string {
    return path.join(this.root, "objects", ...checkedPath(p).split("/"));
  }

  private metaFile(p: string): string {
    return path.join(this.root, "meta", ...checkedPath(p).split("/")) + ".json";
  }

  private async writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
    const tmpDir = path.join(this.root, "tmp");
    await fs.mkdir(tmpDir, { recursive: true });
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = path.join(tmpDir, randomBytes(12).toString("hex"));
    const handle = await fs.open(tmp, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
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
    await this.writeAtomically(this.objectFile(p), data);
    await this.writeAtomically(this.metaFile(p), JSON.stringify(info));
    for (const listener of this.finalizeListeners) listener(info);
    return info;
  }

  async stat(p: string): Promise<BlobInfo | null> {
    try {
      return JSON.parse(await fs.readFile(this.metaFile(p), "utf8")) as BlobInfo;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  async get(p: string): Promise<{ data: Buffer; info: BlobInfo } | null> {
    const info = await this.stat(p);
    if (!info) return null;
    try {
      return { data: await fs.readFile(this.objectFile(p)), info };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  async delete(p: string): Promise<void> {
    await fs.rm(this.metaFile(p), { force: true });
    await fs.rm(this.objectFile(p), { force: true });
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const metaRoot = path.join(this.root, "meta");
    const out: BlobInfo[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
        throw e;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name.endsWith(".json")) {
          const info = JSON.parse(await fs.readFile(full, "utf8")) as BlobInfo;
          if (info.path.startsWith(prefix)) out.push(info);
        }
      }
    };
    // Walk only the folder the prefix names, not the whole bucket.
    const dirPart = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    await walk(dirPart ? path.join(metaRoot, ...checkedPath(dirPart).split("/")) : metaRoot);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}
