/**
 * `$ref` resolution inside one document: JSON pointers (RFC 6901, `~0`/`~1`, percent-encoded as URI
 * fragments), followed through chains of references up to a bound. Nothing is ever fetched: a reference to
 * another file or URL is an `OperationProblem` for the operation that needs it.
 */
import { isRecord } from "./document.js";

/** Why one operation cannot be a tool; caught per operation, never fatal to the import. */
export class OperationProblem extends Error {}

const shown = (ref: string): string => (ref.length > 200 ? `${ref.slice(0, 200)}...` : ref);

/** The last segment of a pointer, as a readable name (`#/components/schemas/Pet` → `Pet`). */
export const refName = (pointer: string): string => {
  const last = pointer.slice(pointer.lastIndexOf("/") + 1);
  return unescapeSegment(last) ?? last;
};

function unescapeSegment(segment: string): string | null {
  let decoded = segment;
  if (segment.includes("%")) {
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return null;
    }
  }
  return decoded.replace(/~1/g, "/").replace(/~0/g, "~");
}

export interface Resolved {
  readonly value: unknown;
  /** The pointer of the last reference followed, or `null` when `node` was not a reference. */
  readonly pointer: string | null;
}

export class RefResolver {
  private readonly cache = new Map<string, unknown>();

  constructor(
    private readonly root: unknown,
    private readonly maxChain: number,
  ) {}

  /** The value a local `$ref` string points to. */
  private lookup(ref: string): unknown {
    const cached = this.cache.get(ref);
    if (cached !== undefined) return cached;
    if (!ref.startsWith("#"))
      throw new OperationProblem(
        `a $ref points outside the document (${shown(ref)}); only references within it can be imported`,
      );
    if (ref !== "#" && !ref.startsWith("#/"))
      throw new OperationProblem(
        `a $ref names an anchor (${shown(ref)}), which is not supported; use a JSON pointer`,
      );
    let node: unknown = this.root;
    const segments = ref === "#" ? [] : ref.slice(2).split("/");
    for (const raw of segments) {
      const segment = unescapeSegment(raw);
      if (segment === null) throw new OperationProblem(`a $ref is not a valid JSON pointer: ${shown(ref)}`);
      // Own properties only: a pointer such as #/components/schemas/constructor must not reach Object.prototype.
      if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(segment) && Number(segment) < node.length)
        node = node[Number(segment)];
      else if (isRecord(node) && Object.hasOwn(node, segment)) node = node[segment];
      else throw new OperationProblem(`a $ref points to nothing in the document: ${shown(ref)}`);
    }
    this.cache.set(ref, node);
    return node;
  }

  /** Follows `$ref`s from `node` until a value that is not a reference. */
  deref(node: unknown): Resolved {
    let value = node;
    let pointer: string | null = null;
    const start = isRecord(node) && typeof node.$ref === "string" ? node.$ref : "";
    for (let hops = 0; isRecord(value) && typeof value.$ref === "string"; hops++) {
      if (hops >= this.maxChain)
        throw new OperationProblem(
          `a chain of $refs is longer than ${this.maxChain} or loops (from ${shown(start)})`,
        );
      pointer = value.$ref;
      value = this.lookup(pointer);
    }
    return { value, pointer };
  }
}
