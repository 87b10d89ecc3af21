import { randomBytes } from "node:crypto";

// The service's one id generator: a prefix naming the kind of thing ("acc", "txn", "trf") and 16 hex digits.
export type IdGenerator = (prefix: string) => string;

export const randomIds: IdGenerator = (prefix) => `${prefix}_${randomBytes(8).toString("hex")}`;

/** The same ids on every start, from a seeded random source: the README's example ids stay true. */
export function seededIds(random: () => number): IdGenerator {
  return (prefix) => {
    let hex = "";
    while (hex.length < 16) hex += Math.floor(random() * 16).toString(16);
    return `${prefix}_${hex}`;
  };
}
