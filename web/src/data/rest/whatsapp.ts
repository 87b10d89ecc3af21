/**
 * WhatsApp connections over the platform's REST API, as the signed-in person (see whatsapp.ts for the
 * interface). Firebase mode uses it as is: the connections are administration, read and changed through the
 * API. The parsers copy the fields the studio shows, by name, so nothing else an answer carries is kept.
 */
import type { WhatsAppConnection, WhatsAppDocuments, WhatsAppSource, WhatsAppTemplate } from "../whatsapp";
import { defaultEnvironment } from "../environments";
import { requestAsSignedIn } from "../session";
import {
  field,
  isNullableString,
  isString,
  isStringArray,
  list,
  optional,
  parseWith,
  record,
  ShapeError,
} from "./shape";

export const whatsAppConnectionsPath = "/v1/whatsapp/connections";
const connectionPath = (connectionId: string) =>
  `${whatsAppConnectionsPath}/${encodeURIComponent(connectionId)}`;

export const restWhatsApp: WhatsAppSource = {
  async listWhatsAppConnections(signal) {
    const path = whatsAppConnectionsPath;
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parseWhatsAppConnectionList(body), `GET ${path}`, path, "a list of connections");
  },
  async createWhatsAppConnection(input) {
    const path = whatsAppConnectionsPath;
    const body = await requestAsSignedIn(path, { method: "POST", body: input });
    return parseWith(() => parseWhatsAppConnection(body), `POST ${path}`, path, "a WhatsApp connection");
  },
  async updateWhatsAppConnection(connectionId, patch) {
    const path = connectionPath(connectionId);
    const body = await requestAsSignedIn(path, { method: "PATCH", body: patch });
    return parseWith(() => parseWhatsAppConnection(body), `PATCH ${path}`, path, "a WhatsApp connection");
  },
  async deleteWhatsAppConnection(connectionId) {
    await requestAsSignedIn(connectionPath(connectionId), { method: "DELETE" });
  },
};

// ----- parsing ----------------------------------------------------------------------------------------

function parseTemplate(value: unknown): WhatsAppTemplate | null {
  if (value === null) return null;
  const t = record(value, "template");
  return { name: field(t, "name", isString), language: field(t, "language", isString) };
}

/** Absent from a platform older than the setting: no document is added there either. */
function parseDocuments(value: unknown): WhatsAppDocuments | null {
  if (value === undefined || value === null) return null;
  const d = record(value, "documents");
  return {
    knowledgeBaseId: field(d, "knowledgeBaseId", isString),
    senders: [...field(d, "senders", isStringArray)],
  };
}

function parseLastError(value: unknown): WhatsAppConnection["lastError"] {
  if (value === null) return null;
  const e = record(value, "lastError");
  return {
    at: field(e, "at", isString),
    code: field(e, "code", isString),
    message: field(e, "message", isString),
  };
}

export function parseWhatsAppConnection(value: unknown): WhatsAppConnection {
  const c = record(value, "connection");
  if (!("template" in c)) throw new ShapeError("template");
  if (!("lastError" in c)) throw new ShapeError("lastError");
  const webhookPath = field(c, "webhookPath", isString);
  // Shown as a URL on the platform's origin for Meta to call: a path, never another site.
  if (!webhookPath.startsWith("/") || webhookPath.startsWith("//")) throw new ShapeError("webhookPath");

  return {
    id: field(c, "id", isString),
    label: field(c, "label", isString),
    phoneNumberId: field(c, "phoneNumberId", isString),
    wabaId: field(c, "wabaId", isString),
    agentId: field(c, "agentId", isString),
    // A platform from before environments names none: its numbers talk to production.
    environment: optional(c, "environment", isString, defaultEnvironment),
    template: parseTemplate(c.template),
    documents: parseDocuments(c.documents),
    createdAt: field(c, "createdAt", isString),
    updatedAt: field(c, "updatedAt", isString),
    lastActivityAt: field(c, "lastActivityAt", isNullableString),
    lastError: parseLastError(c.lastError),
    webhookPath,
  };
}

export function parseWhatsAppConnectionList(body: unknown): WhatsAppConnection[] {
  return list(body, "connections").map(parseWhatsAppConnection);
}
