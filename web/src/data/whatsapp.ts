/**
 * WhatsApp Business numbers connected to a workspace, each answering with one published agent: the platform's
 * shapes, the data layer's section for them (`WhatsAppSource`), and the rules the connect and edit forms check
 * before sending (a copy of functions/src/channels/whatsapp/connections.ts). The access token, app secret and
 * verify token are write-only: the studio sends them once and never receives or keeps them.
 */

/** The approved message template sent instead of a reply outside WhatsApp's 24-hour window. */
export interface WhatsAppTemplate {
  readonly name: string;
  /** Meta's language code, such as `en` or `en_US`. */
  readonly language: string;
}

/**
 * Documents staff send to the number go into a knowledge base: only those from `senders` (WhatsApp numbers
 * in digits, country code first); anyone else's documents are answered from their caption only.
 */
export interface WhatsAppDocuments {
  readonly knowledgeBaseId: string;
  readonly senders: readonly string[];
}

import { defaultEnvironment } from "./environments";

export interface WhatsAppConnection {
  readonly id: string;
  readonly label: string;
  /** Meta's id of the phone number (not the number itself). */
  readonly phoneNumberId: string;
  /** The WhatsApp Business Account the number belongs to. */
  readonly wabaId: string;
  readonly agentId: string;
  /** The environment whose version of the agent answers (environments.ts); production by default. */
  readonly environment: string;
  readonly template: WhatsAppTemplate | null;
  /** Where staff's documents go; `null` when none is added (and from a platform older than the setting). */
  readonly documents: WhatsAppDocuments | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When a message last arrived or a reply was last sent; `null` before the first. */
  readonly lastActivityAt: string | null;
  /** The latest failure (a refused reply, a bad token…), as the platform recorded it. */
  readonly lastError: { readonly at: string; readonly code: string; readonly message: string } | null;
  /** The path Meta's webhook calls, on the platform's origin (GET for the handshake, POST for messages). */
  readonly webhookPath: string;
}

/** The secrets a connection holds: sent, sealed by the platform, never answered. */
export interface WhatsAppSecrets {
  readonly accessToken: string;
  readonly appSecret: string;
  /** A token the admin chooses and enters again in Meta's webhook settings. */
  readonly verifyToken: string;
}

/**
 * `POST /v1/whatsapp/connections`; without a label the platform names it "WhatsApp number", without
 * documents it adds none.
 */
export interface WhatsAppConnectionInput extends WhatsAppSecrets {
  readonly label?: string;
  readonly phoneNumberId: string;
  readonly wabaId: string;
  readonly agentId: string;
  /** The platform's default is production. */
  readonly environment?: string;
  readonly template: WhatsAppTemplate | null;
  readonly documents?: WhatsAppDocuments | null;
}

/**
 * `PATCH /v1/whatsapp/connections/{id}`: the number and its account cannot change; a secret sent is rotated;
 * `documents: null` stops adding documents.
 */
export type WhatsAppConnectionPatch = Partial<
  Pick<WhatsAppConnectionInput, "label" | "agentId" | "environment" | "template" | "documents"> &
    WhatsAppSecrets
>;

/** The WhatsApp part of the studio's source (see source.ts); every call needs `channels.manage`. */
export interface WhatsAppSource {
  /** Oldest first. */
  listWhatsAppConnections(signal: AbortSignal): Promise<WhatsAppConnection[]>;
  /** Refused when the number is already connected (409) or the agent does not answer on WhatsApp. */
  createWhatsAppConnection(input: WhatsAppConnectionInput): Promise<WhatsAppConnection>;
  updateWhatsAppConnection(connectionId: string, patch: WhatsAppConnectionPatch): Promise<WhatsAppConnection>;
  /** Its secrets are deleted; its conversations stay. */
  deleteWhatsAppConnection(connectionId: string): Promise<void>;
}

// ----- the forms ------------------------------------------------------------------------------------

/** What the connect and edit forms hold, as typed. */
export interface WhatsAppConnectionDraft {
  readonly label: string;
  readonly phoneNumberId: string;
  readonly wabaId: string;
  readonly agentId: string;
  readonly environment: string;
  readonly accessToken: string;
  readonly appSecret: string;
  readonly verifyToken: string;
  readonly templateName: string;
  readonly templateLanguage: string;
  /** Whether documents staff send are added to a knowledge base. */
  readonly documentsOn: boolean;
  readonly documentsKnowledgeBaseId: string;
  /** The numbers allowed to add documents, one per line, as typed. */
  readonly documentsSenders: string;
}

/** The fields typed into (the documents switch aside): what problems are reported on. */
export type WhatsAppDraftField = Exclude<keyof WhatsAppConnectionDraft, "documentsOn">;
export type WhatsAppDraftProblems = Partial<Record<WhatsAppDraftField, string>>;

export const emptyWhatsAppDraft: WhatsAppConnectionDraft = {
  label: "",
  phoneNumberId: "",
  wabaId: "",
  agentId: "",
  environment: defaultEnvironment,
  accessToken: "",
  appSecret: "",
  verifyToken: "",
  templateName: "",
  templateLanguage: "",
  documentsOn: false,
  documentsKnowledgeBaseId: "",
  documentsSenders: "",
};

/** An edit form starts from the connection as it is, with every secret empty (kept unless typed again). */
export function whatsAppDraftOf(connection: WhatsAppConnection): WhatsAppConnectionDraft {
  return {
    ...emptyWhatsAppDraft,
    label: connection.label,
    phoneNumberId: connection.phoneNumberId,
    wabaId: connection.wabaId,
    agentId: connection.agentId,
    environment: connection.environment,
    templateName: connection.template?.name ?? "",
    templateLanguage: connection.template?.language ?? "",
    documentsOn: connection.documents !== null,
    documentsKnowledgeBaseId: connection.documents?.knowledgeBaseId ?? "",
    documentsSenders: connection.documents?.senders.join("\n") ?? "",
  };
}

/** The platform's limits, repeated so the forms can say so before sending. */
export const whatsAppLimits = { label: 100, minSecret: 8, maxSecret: 1000, senders: 50 } as const;

const graphIdPattern = /^\d{5,30}$/;
const templateNamePattern = /^[a-z0-9_]{1,512}$/;
const languagePattern = /^[a-z]{2,3}(_[A-Z]{2})?$/;
export const whatsAppSecretFields = ["accessToken", "appSecret", "verifyToken"] as const;

/**
 * Why the platform would refuse the draft, per field (empty when it would not). Connecting needs every
 * secret; an edit sends only the secrets typed again, and always a label (see `whatsAppPatchOf`).
 */
export function whatsAppDraftProblems(
  draft: WhatsAppConnectionDraft,
  mode: "connect" | "edit",
): WhatsAppDraftProblems {
  const problems: WhatsAppDraftProblems = {};
  const label = draft.label.trim();
  if (label.length > whatsAppLimits.label) problems.label = `At most ${whatsAppLimits.label} characters.`;
  else if (mode === "edit" && label === "") problems.label = "Give the number a label.";
  if (mode === "connect") {
    for (const id of ["phoneNumberId", "wabaId"] as const) {
      if (!graphIdPattern.test(draft[id].trim()))
        problems[id] = "Enter the numeric id Meta shows: 5 to 30 digits.";
    }
  }
  if (draft.agentId === "") problems.agentId = "Choose the agent that answers on this number.";
  for (const secret of whatsAppSecretFields) {
    const value = draft[secret].trim();
    if (mode === "edit" && value === "") continue;
    if (value.length < whatsAppLimits.minSecret)
      problems[secret] = `At least ${whatsAppLimits.minSecret} characters.`;
    else if (value.length > whatsAppLimits.maxSecret)
      problems[secret] = `At most ${whatsAppLimits.maxSecret} characters.`;
  }
  const name = draft.templateName.trim();
  const language = draft.templateLanguage.trim();
  if (name !== "" && !templateNamePattern.test(name))
    problems.templateName = "Lower-case letters, digits and _ only, as the template is named in Meta.";
  else if (name === "" && language !== "") problems.templateName = "Give the template's name too.";
  if (language !== "" && !languagePattern.test(language))
    problems.templateLanguage = "A language code such as en or en_US.";
  else if (language === "" && name !== "")
    problems.templateLanguage = "Give the template's language too, such as en or en_US.";
  if (draft.documentsOn) {
    if (draft.documentsKnowledgeBaseId === "")
      problems.documentsKnowledgeBaseId = "Choose the knowledge base the documents go to.";
    const senders = sendersProblem(draft.documentsSenders);
    if (senders !== undefined) problems.documentsSenders = senders;
  }
  return problems;
}

// ----- the numbers allowed to add documents -----------------------------------------------------------

/** What people paste around a number ("+31 6 1234-5678", "(020) …"): dropped, the digits kept. */
const numberPunctuation = /[\s().-]/g;
const senderPattern = /^\d{5,20}$/;

/** A typed line as the platform wants the number: digits only, country code first (a leading + dropped). */
const senderOf = (line: string): string => line.replace(numberPunctuation, "").replace(/^\+/, "");

/** The lines that hold something: blank ones are ignored. */
const senderLines = (text: string) =>
  text
    .split("\n")
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== "");

/** Why one line is not a number the platform would take; undefined when it is. */
function senderLineProblem(line: string): string | undefined {
  const sender = senderOf(line);
  if (!/^\d+$/.test(sender)) return "digits only, such as +31 6 1234 5678";
  // A number WhatsApp reports never starts with 0: written so, it would never match a sender.
  if (sender.startsWith("0")) return "start with the country code, without 0 or 00";
  if (!senderPattern.test(sender)) return "5 to 20 digits, country code first";
  return undefined;
}

/** Each line in error, by its number ("Line 2: …"), the first three in full. */
function sendersProblem(text: string): string | undefined {
  const lines = senderLines(text);
  if (lines.length === 0) return "List at least one number allowed to add documents.";
  const wrong = lines.flatMap(({ line, number }) => {
    const problem = senderLineProblem(line);
    return problem === undefined ? [] : [`Line ${number}: ${problem}.`];
  });
  if (wrong.length > 0) {
    const more = wrong.length - 3;
    return [...wrong.slice(0, 3), ...(more > 0 ? [`And ${more} more line${more > 1 ? "s" : ""}.`] : [])].join(
      " ",
    );
  }
  if (new Set(lines.map(({ line }) => senderOf(line))).size > whatsAppLimits.senders)
    return `At most ${whatsAppLimits.senders} numbers.`;
  return undefined;
}

/** The documents setting of a checked draft: the numbers in the platform's form, each once; null when off. */
function documentsOf(draft: WhatsAppConnectionDraft): WhatsAppDocuments | null {
  if (!draft.documentsOn) return null;
  return {
    knowledgeBaseId: draft.documentsKnowledgeBaseId,
    senders: [...new Set(senderLines(draft.documentsSenders).map(({ line }) => senderOf(line)))],
  };
}

const sameDocuments = (a: WhatsAppDocuments | null, b: WhatsAppDocuments | null): boolean =>
  a === null || b === null
    ? a === b
    : a.knowledgeBaseId === b.knowledgeBaseId &&
      a.senders.length === b.senders.length &&
      a.senders.every((sender, i) => sender === b.senders[i]);

function templateOf(draft: WhatsAppConnectionDraft): WhatsAppTemplate | null {
  const name = draft.templateName.trim();
  return name === "" ? null : { name, language: draft.templateLanguage.trim() };
}

/** The request body of a checked connect form; documents only when they are added (the platform's default). */
export function whatsAppInputOf(draft: WhatsAppConnectionDraft): WhatsAppConnectionInput {
  const label = draft.label.trim();
  const documents = documentsOf(draft);
  return {
    ...(label !== "" ? { label } : {}),
    phoneNumberId: draft.phoneNumberId.trim(),
    wabaId: draft.wabaId.trim(),
    agentId: draft.agentId,
    // Production is the platform's default: named only when it is another one.
    ...(draft.environment !== defaultEnvironment ? { environment: draft.environment } : {}),
    accessToken: draft.accessToken.trim(),
    appSecret: draft.appSecret.trim(),
    verifyToken: draft.verifyToken.trim(),
    template: templateOf(draft),
    ...(documents ? { documents } : {}),
  };
}

/**
 * The request body of a checked edit form. The label and template are always sent: the platform's patch
 * schema gives an absent one its default (zod 4 applies defaults inside `.partial()`), which would rename
 * the number and drop its template. The agent is sent only when it changed, since the platform checks it
 * again; the documents setting only when it changed (`null` to stop), so a platform older than the setting
 * still takes other edits; a secret only when typed again.
 */
export function whatsAppPatchOf(
  draft: WhatsAppConnectionDraft,
  connection: WhatsAppConnection,
): WhatsAppConnectionPatch {
  const secrets: Partial<Record<(typeof whatsAppSecretFields)[number], string>> = {};
  for (const secret of whatsAppSecretFields) {
    const value = draft[secret].trim();
    if (value !== "") secrets[secret] = value;
  }
  const documents = documentsOf(draft);
  return {
    label: draft.label.trim(),
    ...(draft.agentId !== connection.agentId ? { agentId: draft.agentId } : {}),
    ...(draft.environment !== connection.environment ? { environment: draft.environment } : {}),
    template: templateOf(draft),
    ...(sameDocuments(documents, connection.documents) ? {} : { documents }),
    ...secrets,
  };
}

/** The form field each platform validation issue (`template.name`, `accessToken`) is about. */
const issueFields: Readonly<Record<string, WhatsAppDraftField>> = {
  label: "label",
  phoneNumberId: "phoneNumberId",
  wabaId: "wabaId",
  agentId: "agentId",
  environment: "environment",
  accessToken: "accessToken",
  appSecret: "appSecret",
  verifyToken: "verifyToken",
  template: "templateName",
  "template.name": "templateName",
  "template.language": "templateLanguage",
  documents: "documentsKnowledgeBaseId",
  "documents.knowledgeBaseId": "documentsKnowledgeBaseId",
  "documents.senders": "documentsSenders",
};

export function whatsAppDraftFieldOf(issuePath: string): WhatsAppDraftField | undefined {
  // One sender's issue is `documents.senders.3`: the list's field holds them all.
  const path = issuePath.replace(/^(documents\.senders)\.\d+$/, "$1");
  return Object.hasOwn(issueFields, path) ? issueFields[path] : undefined;
}
