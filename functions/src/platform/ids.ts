import { randomBytes, randomInt } from "node:crypto";
import type { Ids } from "./ports.js";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export const randomIds: Ids = {
  newId() {
    let id = "";
    for (let i = 0; i < 20; i++) id += alphabet[randomInt(alphabet.length)];
    return id;
  },
  newSecret(bytes = 32) {
    return randomBytes(bytes).toString("base64url");
  },
};

/** Ids are path segments: this is the one check that a caller-supplied id cannot escape its collection. */
export const idPattern = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The id a request is logged and answered under: the caller's `X-Request-Id` when it is a plain token (so one
 * id follows a request across services), otherwise a new one.
 */
export function requestIdFrom(incoming: string | undefined): string {
  return incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomIds.newId();
}
