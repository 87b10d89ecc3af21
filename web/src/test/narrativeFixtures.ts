/**
 * The Global Narrative Framework's answers, in the shapes of the REST contract (issue 23): an end user the HR
 * assistant remembers (her name, where she lives now and where she lived before, a preference a model found),
 * a contradiction found in what it told her, her conversations, and a drift flag after a handbook update.
 */
import { customerConversation, vacationTrace } from "./historyFixtures";

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** sha256("widget:dana") in hex, its first 40 digits: the platform's `endUserKeyOf`. */
export const danaKey = "9e85e0a206375172897b8c035e87faa7a6ab68ae";
/** sha256("customer-118"), the customer of historyFixtures. */
export const customerKey = "250b9f231bfd7e888cf4c1645894f0b379a1584a";

export const danaListed = {
  endUserKey: danaKey,
  endUserRef: "widget:dana",
  firstSeenAt: minutesAgo(9 * 24 * 60),
  lastSeenAt: minutesAgo(15),
  agentIds: ["agt_hr"],
  memoryCount: 3,
  openFlags: 1,
};

export const customerListed = {
  endUserKey: customerKey,
  endUserRef: "customer-118",
  firstSeenAt: minutesAgo(40),
  lastSeenAt: minutesAgo(12),
  agentIds: ["agt_hr", "agt_it"],
  memoryCount: 0,
  openFlags: 0,
};

const memory = (fields: Record<string, unknown>) => ({
  endUserKey: danaKey,
  endUserRef: "widget:dana",
  scopeKey: "agent:agt_hr",
  agentId: "agt_hr",
  key: null,
  supersedes: null,
  supersededBy: null,
  supersededAt: null,
  expiresAt: null,
  editedBy: null,
  ...fields,
});

export const berlinMemory = memory({
  id: "mem_berlin",
  kind: "fact",
  key: "city",
  value: "Berlin",
  text: "You live in Berlin.",
  confidence: 0.9,
  method: "rules",
  pattern: "moved-to",
  source: {
    conversationId: "cnv_dana3",
    messageSeq: 0,
    traceId: "trc_dana3",
    quote: "I moved to Berlin last month",
  },
  status: "active",
  supersedes: "mem_paris",
  createdAt: minutesAgo(2 * 24 * 60),
  updatedAt: minutesAgo(2 * 24 * 60),
});

export const parisMemory = memory({
  id: "mem_paris",
  kind: "fact",
  key: "city",
  value: "Paris",
  text: "You live in Paris.",
  confidence: 0.9,
  method: "rules",
  pattern: "live-in",
  source: { conversationId: "cnv_dana1", messageSeq: 2, traceId: "trc_dana1", quote: "I live in Paris" },
  status: "superseded",
  supersededBy: "mem_berlin",
  supersededAt: minutesAgo(2 * 24 * 60),
  createdAt: minutesAgo(9 * 24 * 60),
  updatedAt: minutesAgo(2 * 24 * 60),
});

export const nameMemory = memory({
  id: "mem_name",
  kind: "fact",
  key: "name",
  value: "Dana",
  text: "Your name is Dana.",
  confidence: 0.95,
  method: "rules",
  pattern: "my-name-is",
  source: { conversationId: "cnv_dana1", messageSeq: 0, traceId: "trc_dana1", quote: "My name is Dana" },
  status: "active",
  createdAt: minutesAgo(9 * 24 * 60),
  updatedAt: minutesAgo(9 * 24 * 60),
});

export const frenchMemory = memory({
  id: "mem_french",
  kind: "preference",
  key: "language",
  value: "French",
  text: "You prefer French.",
  confidence: 0.7,
  method: "model",
  pattern: "gpt-4o-mini",
  source: {
    conversationId: "cnv_dana1",
    messageSeq: 4,
    traceId: "trc_dana1",
    quote: "je préfère le français",
  },
  status: "active",
  expiresAt: "2027-06-30T23:59:59.999Z",
  createdAt: minutesAgo(9 * 24 * 60),
  updatedAt: minutesAgo(9 * 24 * 60),
});

const handbook = (quote: string) => ({
  kbId: "kb_handbook",
  docId: "doc_handbook",
  docName: "employee-handbook.md",
  quote,
});

export const vacationFlag = {
  id: "cfl_vacation",
  endUserKey: danaKey,
  agentId: "agt_hr",
  conversationId: "cnv_dana3",
  traceId: "trc_dana3",
  createdAt: minutesAgo(15),
  earlier: {
    statementId: "stm_25days",
    claim: "Full-time employees receive 25 vacation days per calendar year.",
    traceId: "trc_dana1",
    conversationId: "cnv_dana1",
    at: minutesAgo(9 * 24 * 60),
    sources: [handbook("Full-time employees receive 25 vacation days per calendar year.")],
  },
  now: {
    claim: "Full-time employees receive 20 vacation days per calendar year.",
    sources: [handbook("Full-time employees receive 20 vacation days per calendar year.")],
  },
  reason: "states 20 where the earlier answer stated 25",
  resolution: "corrected",
  status: "open",
  reviewedBy: null,
  reviewedAt: null,
};

const conversation = (id: string, minutes: number, messageCount: number) => ({
  id,
  agentId: "agt_hr",
  channel: "widget",
  createdAt: minutesAgo(minutes + 10),
  updatedAt: minutesAgo(minutes),
  messageCount,
});

/** `GET /v1/end-users/{danaKey}`. */
export const danaDetail = {
  endUser: {
    endUserKey: danaKey,
    endUserRef: "widget:dana",
    firstSeenAt: danaListed.firstSeenAt,
    lastSeenAt: danaListed.lastSeenAt,
    agentIds: ["agt_hr"],
  },
  memories: [berlinMemory, nameMemory, frenchMemory, parisMemory],
  conversations: [conversation("cnv_dana3", 15, 4), conversation("cnv_dana1", 9 * 24 * 60, 6)],
  flags: [vacationFlag],
};

/** `n` end users, a minute apart, for paging. */
export function manyEndUsers(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => ({
    ...customerListed,
    endUserKey: (from + i).toString(16).padStart(40, "0"),
    endUserRef: `customer-${500 + from + i}`,
    lastSeenAt: minutesAgo(from + i + 1),
  }));
}

const answer = (fields: Record<string, unknown>) => ({
  traceId: "trc_x",
  abstained: false,
  agentVersion: 2,
  sources: [],
  ...fields,
});

/** `GET /v1/drift`'s flag: the vacation answer changed after the handbook's version 2. */
export const vacationDrift = {
  id: "dft_vacation",
  agentId: "agt_hr",
  canonicalQuestionId: "cq_vacation",
  question: "How many vacation days do full-time employees get?",
  status: "open",
  note: null,
  createdAt: minutesAgo(30),
  reviewedBy: null,
  reviewedAt: null,
  before: answer({
    traceId: "trc_before",
    conversationId: "cnv_before",
    answer: "Full-time employees receive 25 vacation days per calendar year. [1]",
    at: minutesAgo(3 * 24 * 60),
    sources: [{ ...handbook("Full-time employees receive 25 vacation days per calendar year."), version: 1 }],
  }),
  after: answer({
    traceId: "trc_after",
    conversationId: "cnv_after",
    answer: "Full-time employees receive 20 vacation days per calendar year. [1]",
    at: minutesAgo(30),
    sources: [{ ...handbook("Full-time employees receive 20 vacation days per calendar year."), version: 2 }],
  }),
  causes: [
    {
      type: "knowledge",
      description: "The vacation paragraph changed from 25 to 20 days.",
      document: {
        kbId: "kb_handbook",
        docId: "doc_handbook",
        docName: "employee-handbook.md",
        fromVersion: 1,
        toVersion: 2,
      },
    },
  ],
  difference: "The number of vacation days went from 25 to 20.",
};

/** A trace of a turn that recalled two memories, cited one, learned a new city and contradicted an answer. */
export const memoryTrace = {
  ...vacationTrace,
  memory: {
    recalled: 3,
    used: [
      {
        ref: "M1",
        memoryId: "mem_berlin",
        kind: "fact",
        key: "city",
        text: "You live in Berlin.",
        score: 0.82,
        cited: true,
      },
      {
        ref: "M2",
        memoryId: "mem_name",
        kind: "fact",
        key: "name",
        text: "Your name is Dana.",
        score: 0.41,
        cited: false,
      },
    ],
    written: [
      { memoryId: "mem_berlin", kind: "fact", key: "city", supersedes: "mem_paris", method: "rules" },
    ],
    forgotten: 1,
    contradictions: [
      {
        statementId: "stm_25days",
        earlier: "Full-time employees receive 25 vacation days per calendar year.",
        earlierAt: customerConversation.createdAt,
        now: "Full-time employees receive 20 vacation days per calendar year.",
        reason: "states 20 where the earlier answer stated 25",
        flagId: "cfl_vacation",
      },
    ],
  },
};
