/** Tool and argument names: sanitized to the patterns model APIs accept, cut to 64, unique by claim order. */

const maxName = 64;

/** FNV-1a (32 bits) in base 36: a short suffix that keeps two long names cut at the same place apart. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

function fit(name: string, source: string): string {
  if (name.length <= maxName) return name;
  const suffix = `_${shortHash(source)}`;
  return `${name.slice(0, maxName - suffix.length).replace(/[_.-]+$/, "")}${suffix}`;
}

/**
 * The tool name an operation asks for: its operationId with every run of other characters replaced by `_`
 * (`repos/get` → `repos_get`), or, without one, its method and path (`get_repos_owner_repo`).
 */
export function toolNameFor(operationId: string | null, method: string, path: string): string {
  const source =
    operationId !== null && operationId.trim() !== "" ? operationId : `${method.toLowerCase()}_${path}`;
  const name = source
    .slice(0, 1000)
    .replace(/[^a-zA-Z0-9_-]+/g, "_")
    .replace(/_{2,}/g, "_")
    .replace(/^[_-]+|[_-]+$/g, "");
  return fit(name === "" ? `${method.toLowerCase()}_${shortHash(source)}` : name, source);
}

/** An argument name for a parameter or body property (`$top` → `top`, `filter[status]` → `filter_status`). */
export function argumentNameFor(wireName: string): string {
  // Characters other than these at either end go (`$top` → `top`); runs of them inside become one `_`.
  const name = wireName
    .slice(0, 1000)
    .replace(/^[^a-zA-Z0-9_.-]+|[^a-zA-Z0-9_.-]+$/g, "")
    .replace(/[^a-zA-Z0-9_.-]+/g, "_");
  return fit(name === "" ? `arg_${shortHash(wireName)}` : name, wireName);
}

/** Names handed out in order: the first asker gets the name, later ones `name_2`, `name_3`... */
export class NameRegistry {
  private readonly taken = new Set<string>();

  has(name: string): boolean {
    return this.taken.has(name);
  }

  claim(name: string): string {
    let candidate = name;
    for (let n = 2; this.taken.has(candidate); n++) {
      const suffix = `_${n}`;
      candidate = `${name.slice(0, maxName - suffix.length)}${suffix}`;
    }
    this.taken.add(candidate);
    return candidate;
  }
}
