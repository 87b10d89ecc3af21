/**
 * Conversation history as the local runtime answers it (shapes copied from `GET /v1/conversations`,
 * `GET /v1/conversations/{id}`, `…/messages` and `GET /v1/traces/{id}` on a fresh `npm start`).
 */

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** The listing's shape for one conversation. */
export interface ConversationListed {
  id: string;
  agentId: string;
  agentVersion: "published" | "draft" | number;
  channel: string;
  endUserRef: string | null;
  messageCount: number;
  createdAt: string;
  updatedAt: string;
}

/** A customer of Acme's HR assistant, over the REST API: two questions, one answered, one declined. */
export const customerConversation: ConversationListed = {
  id: "cnv_customer118",
  agentId: "agt_hr",
  agentVersion: "published",
  channel: "api",
  endUserRef: "customer-118",
  messageCount: 4,
  createdAt: minutesAgo(40),
  updatedAt: minutesAgo(12),
};

/** An editor trying the IT helpdesk's draft in the playground. */
export const playgroundConversation: ConversationListed = {
  id: "cnv_playground7",
  agentId: "agt_it",
  agentVersion: "draft",
  channel: "studio",
  endUserRef: null,
  messageCount: 2,
  createdAt: minutesAgo(3 * 60 + 5),
  updatedAt: minutesAgo(3 * 60),
};

/** A partner's integration talking to a pinned version through the OpenAI-compatible API. */
export const partnerConversation: ConversationListed = {
  id: "cnv_partner42",
  agentId: "agt_hr",
  agentVersion: 1,
  channel: "openai-compatible",
  endUserRef: "partner:travelco",
  messageCount: 6,
  createdAt: minutesAgo(2 * 24 * 60 + 30),
  updatedAt: minutesAgo(2 * 24 * 60),
};

/** `n` conversations of one end user each, a minute apart, for paging. */
export function manyConversations(n: number, olderThanMinutes = 0): ConversationListed[] {
  return Array.from({ length: n }, (_, i) => ({
    ...customerConversation,
    id: `cnv_bulk${String(olderThanMinutes + i).padStart(3, "0")}`,
    endUserRef: `customer-${500 + olderThanMinutes + i}`,
    createdAt: minutesAgo(olderThanMinutes + i + 30),
    updatedAt: minutesAgo(olderThanMinutes + i + 1),
  }));
}

/** `GET /v1/conversations/cnv_customer118`: the conversation as stored, with its summary. */
export const customerConversationDocument = { ...customerConversation, summary: null };

const vacationCitation = {
  ref: "1",
  kbId: "kb_handbook",
  docId: "doc_handbook",
  docName: "employee-handbook.md",
  chunkId: "doc_handbook-v1-2",
  quote: "Full-time employees receive 25 vacation days per calendar year.",
  location: {
    startOffset: 666,
    endOffset: 1170,
    headingPath: ["Acme Corp Employee Handbook", "Time off", "Vacation"],
  },
  score: 0.4814,
};

const userMessage = (id: string, content: string, createdAt: string) => ({
  id,
  role: "user",
  content,
  citations: [],
  confidence: null,
  abstained: false,
  explanation: null,
  traceId: null,
  agentVersion: null,
  usage: null,
  createdAt,
});

/** `GET /v1/conversations/cnv_customer118/messages`, oldest first. */
export const customerMessages = [
  userMessage("msg_q1", "How many vacation days do I get?", customerConversation.createdAt),
  {
    id: "msg_a1",
    role: "assistant",
    content:
      "Full-time employees receive 25 vacation days per calendar year. [1] Vacation days accrue monthly, at 2.08 days per month for full-time employees. [1]",
    citations: [vacationCitation],
    confidence: 0.728,
    abstained: false,
    explanation:
      'Answered from 1 passage(s) in "employee-handbook.md". 2 of 2 sentence(s) were supported by their sources.',
    traceId: "trc_vacation",
    agentVersion: 2,
    usage: { inputTokens: 480, outputTokens: 46 },
    createdAt: customerConversation.createdAt,
  },
  userMessage("msg_q2", "What is the salary of my manager?", customerConversation.updatedAt),
  {
    id: "msg_a2",
    role: "assistant",
    content: "I'm sorry, I can't help with questions about salaries of colleagues.",
    citations: [],
    confidence: null,
    abstained: true,
    explanation:
      'The question matches the topic "salaries of colleagues", which this agent is configured not to discuss; no search or model call was made.',
    traceId: "trc_salary",
    agentVersion: 2,
    usage: { inputTokens: 0, outputTokens: 0 },
    createdAt: customerConversation.updatedAt,
  },
];

/** `GET /v1/traces/trc_vacation` (the parts the studio reads, as the platform writes them). */
export const vacationTrace = {
  id: "trc_vacation",
  conversationId: "cnv_customer118",
  messageId: "msg_a1",
  agentId: "agt_hr",
  agentVersion: 2,
  channel: "api",
  status: "answered",
  error: null,
  question: "How many vacation days do I get?",
  model: {
    provider: "local-extractive",
    model: "alchemist-extractive-v1",
    label: "Built-in extractive responder",
    temperature: 0.2,
    maxOutputTokens: 800,
  },
  retrieval: {
    queries: [{ text: "How many vacation days do I get?", reason: "the question" }],
    knowledgeBaseIds: ["kb_handbook"],
    candidates: [
      {
        ref: "1",
        query: 0,
        kbId: "kb_handbook",
        chunkId: "doc_handbook-v1-2",
        docId: "doc_handbook",
        docName: "employee-handbook.md",
        score: 0.4814,
        vectorScore: 0.4088,
        keywordScore: 0.4995,
        injectionSignals: [],
      },
      {
        ref: "2",
        query: 0,
        kbId: "kb_handbook",
        chunkId: "doc_travel-v1-2",
        docId: "doc_travel",
        docName: "travel-and-expenses.html",
        score: 0.2144,
        vectorScore: 0.1852,
        keywordScore: 0.2217,
        injectionSignals: [],
      },
    ],
  },
  toolCalls: [],
  checks: [
    {
      sentence: "Full-time employees receive 25 vacation days per calendar year. [1]",
      refs: ["1"],
      support: 0.94,
      verdict: "supported",
    },
  ],
  timingsMs: {
    guardrails: 0.3,
    retrieval: 14.2,
    context: 0.8,
    generation: 3.1,
    tools: 0,
    checks: 2.4,
    total: 21.6,
  },
  createdAt: customerConversation.createdAt,
};
