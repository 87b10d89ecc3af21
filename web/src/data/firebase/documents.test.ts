/**
 * Firestore documents → the REST API's bodies. Each case starts from a document as the backend stores it
 * (the zod schemas of functions/src/*\/schema.ts) and checks the studio ends up with what the REST API
 * answers for it (the route's view, parsed by the same parser).
 */
import { Timestamp } from "firebase/firestore";
import { describe, expect, it } from "vitest";
import { hrAssistant, hrVersions, itHelpdesk } from "../../test/fixtures";
import { parseAgent, parseAgentList, parseAgentVersions } from "../rest/agents";
import { parseTrace } from "../rest/conversations";
import { parseConversation, parseTranscriptMessages } from "../rest/history";
import { parseDocuments, parseKnowledgeBases } from "../rest/knowledge";
import {
  agentBody,
  agentListBody,
  agentVersionBody,
  conversationBody,
  conversationListItemBody,
  knowledgeBaseListBody,
  knowledgeDocumentBody,
  knowledgeDocumentListBody,
  messageBody,
  plainValue,
  traceBody,
} from "./documents";

/** The stored document of a REST body: the same fields without the id, which is the document's name. */
function stored<T extends { id: string }>(body: T) {
  const { id, ...data } = body;
  return { id, data };
}

describe("Firestore values", () => {
  it("turns Timestamps into the ISO strings the REST API carries, at any depth", () => {
    const at = Timestamp.fromDate(new Date("2026-03-02T09:30:00.125Z"));
    expect(
      plainValue({ createdAt: at, versions: [{ createdAt: at, size: 12 }], name: "handbook.md" }),
    ).toEqual({
      createdAt: "2026-03-02T09:30:00.125Z",
      versions: [{ createdAt: "2026-03-02T09:30:00.125Z", size: 12 }],
      name: "handbook.md",
    });
  });
});

describe("agents", () => {
  it("gives the same agent as GET /v1/agents/{id} for the stored document", () => {
    const fromFirestore = parseAgent(
      agentBody(stored(hrAssistant)),
      "GET agent",
      "tenants/acme/agents/agt_hr",
    );
    expect(fromFirestore).toEqual(parseAgent(hrAssistant, "GET /v1/agents/agt_hr", "/v1/agents/agt_hr"));
  });

  it("fills the fields a document written before they existed leaves out, with the schema's defaults", () => {
    const written = {
      id: "agt_legacy",
      data: {
        name: "Travel desk",
        instructions: "Book trips within the travel policy.",
        knowledgeBaseIds: [],
        confidenceThreshold: 0.6,
        memoryWindow: 4,
        status: "draft",
        createdAt: Timestamp.fromDate(new Date("2025-11-04T08:00:00Z")),
        updatedAt: "2025-11-05T10:15:00.000Z",
        tools: [
          {
            kind: "http",
            name: "find_flights",
            description: "Flights",
            parameters: {},
            url: "https://travel.acme.example/flights",
          },
        ],
      },
    };
    expect(parseAgent(agentBody(written), "GET agent", "agent")).toEqual({
      id: "agt_legacy",
      name: "Travel desk",
      description: "",
      instructions: "Book trips within the travel policy.",
      model: { name: null, temperature: 0.2, maxOutputTokens: 800 },
      knowledgeBaseIds: [],
      tools: [
        {
          kind: "http",
          name: "find_flights",
          description: "Flights",
          parameters: {},
          url: "https://travel.acme.example/flights",
          method: "POST",
          timeoutMs: 10_000,
        },
      ],
      maxToolSteps: 4,
      guardrails: { blockedTopics: [], redactPii: true },
      confidenceThreshold: 0.6,
      memoryWindow: 4,
      contextBudgetTokens: 8000,
      channels: ["api", "openai-compatible", "callable", "studio", "mcp", "whatsapp", "widget"],
      longTermMemory: { enabled: false, retentionDays: 365, scope: "agent" },
      status: "draft",
      publishedVersion: null,
      latestVersion: 0,
      createdAt: "2025-11-04T08:00:00.000Z",
      updatedAt: "2025-11-05T10:15:00.000Z",
      publishGate: null,
    });
  });

  it("reads the publish gate stored on the agent, as GET /v1/agents/{id} gives it", () => {
    const gate = { enabled: true, datasetId: "ds_golden", maxDrop: 0.05, timeoutSeconds: 90 };
    const fromFirestore = parseAgent(
      agentBody(stored({ ...hrAssistant, publishGate: gate })),
      "GET",
      "agent",
    );
    expect(fromFirestore.publishGate).toEqual(gate);
    expect(fromFirestore).toEqual(
      parseAgent({ ...hrAssistant, publishGate: gate }, "GET /v1/agents/agt_hr", "/v1/agents/agt_hr"),
    );
  });

  it("lists agents most recently changed first, without archived ones unless asked", () => {
    const archived = {
      ...itHelpdesk,
      id: "agt_old",
      status: "archived",
      updatedAt: new Date().toISOString(),
    };
    const docs = [stored(itHelpdesk), stored(archived), stored(hrAssistant)];

    expect(parseAgentList(agentListBody(docs, false), "agents").map((a) => a.id)).toEqual([
      "agt_hr",
      "agt_it",
    ]);
    expect(parseAgentList(agentListBody(docs, true), "agents").map((a) => a.id)).toEqual([
      "agt_old",
      "agt_hr",
      "agt_it",
    ]);
  });

  it("gives the same versions as GET /v1/agents/{id}/versions", () => {
    const fromFirestore = parseAgentVersions(
      { versions: hrVersions.map((v) => agentVersionBody(stored(v))) },
      "v",
    );
    expect(fromFirestore).toEqual(parseAgentVersions({ versions: hrVersions }, "/v1/agents/agt_hr/versions"));
  });
});

describe("knowledge", () => {
  const handbook = {
    id: "kb_handbook",
    data: {
      name: "Acme Corp employee handbook",
      description: "Policies for every employee",
      // Which version of each document search uses: internal, shown as a count.
      active: {
        oKHKFe_ToyjMIMhyk2Ls8XMR: { version: 2, model: "hash-256@1/256" },
        Ugsxrij7i6MG2u_GNzZR_khL: { version: 1, model: "hash-256@1/256" },
      },
      createdAt: "2026-01-10T09:00:00.000Z",
      updatedAt: "2026-02-01T16:45:00.000Z",
    },
  };
  const itFaq = {
    id: "kb_it",
    data: {
      name: "IT security FAQ",
      createdAt: "2026-01-12T09:00:00.000Z",
      updatedAt: "2026-02-03T08:00:00.000Z",
    },
  };

  it("lists knowledge bases as GET /v1/knowledge-bases does: a document count, newest change first", () => {
    expect(parseKnowledgeBases(knowledgeBaseListBody([handbook, itFaq]), "kbs")).toEqual([
      {
        id: "kb_it",
        name: "IT security FAQ",
        description: "",
        documentCount: 0,
        createdAt: "2026-01-12T09:00:00.000Z",
        updatedAt: "2026-02-03T08:00:00.000Z",
      },
      {
        id: "kb_handbook",
        name: "Acme Corp employee handbook",
        description: "Policies for every employee",
        documentCount: 2,
        createdAt: "2026-01-10T09:00:00.000Z",
        updatedAt: "2026-02-01T16:45:00.000Z",
      },
    ]);
  });

  /** A document halfway through embedding its second version, as the ingest pipeline writes it. */
  const embedding = {
    id: "oKHKFe-ToyjMIMhyk2Ls8XMR",
    data: {
      name: "handbook.md",
      type: "markdown",
      contentType: "text/markdown",
      size: 18_230,
      version: 2,
      activeVersion: 1,
      status: "processing",
      stage: "embed",
      progress: 0.6666666,
      chunkCount: 42,
      totalBatches: 3,
      embeddedBatches: [0, 1],
      blobPath: "tenants/acme/knowledgeBases/kb_handbook/documents/oKHKFe-ToyjMIMhyk2Ls8XMR/v2/handbook.md",
      error: null,
      embedder: null,
      md5: "9e107d9d372bb6826bd81d3542a419d6",
      tags: ["hr"],
      versions: [
        {
          version: 1,
          size: 17_900,
          md5: "e4d909c290d0fb1ca068ffaddf22cbd0",
          blobPath: "…/v1/handbook.md",
          createdAt: "2026-01-10T09:05:00.000Z",
        },
        {
          version: 2,
          size: 18_230,
          md5: "9e107d9d372bb6826bd81d3542a419d6",
          blobPath: "…/v2/handbook.md",
          createdAt: Timestamp.fromDate(new Date("2026-02-01T16:40:00Z")),
        },
      ],
      reembedding: null,
      createdAt: "2026-01-10T09:05:00.000Z",
      updatedAt: "2026-02-01T16:44:00.000Z",
    },
  };

  it("shows a document as documentView does: progress to three decimals, no internal fields", () => {
    expect(knowledgeDocumentBody(embedding)).toEqual({
      id: "oKHKFe-ToyjMIMhyk2Ls8XMR",
      name: "handbook.md",
      type: "markdown",
      size: 18_230,
      version: 2,
      activeVersion: 1,
      status: "processing",
      stage: "embed",
      progress: 0.667,
      chunkCount: 42,
      tags: ["hr"],
      versions: [
        { version: 1, size: 17_900, createdAt: "2026-01-10T09:05:00.000Z" },
        { version: 2, size: 18_230, createdAt: "2026-02-01T16:40:00.000Z" },
      ],
      createdAt: "2026-01-10T09:05:00.000Z",
      updatedAt: "2026-02-01T16:44:00.000Z",
    });
  });

  it("lists documents without those being deleted, and says why one failed", () => {
    const failed = {
      id: "scan",
      data: {
        ...embedding.data,
        name: "scan.pdf",
        type: "pdf",
        status: "failed",
        stage: "parse",
        error: '"scan.pdf" has no selectable text',
      },
    };
    const deleting = { id: "old", data: { ...embedding.data, name: "old.md", status: "deleting" } };
    const listed = parseDocuments(knowledgeDocumentListBody([embedding, deleting, failed]), "docs");
    expect(listed.map((d) => [d.name, d.status, d.error])).toEqual([
      ["handbook.md", "processing", null],
      ["scan.pdf", "failed", '"scan.pdf" has no selectable text'],
    ]);
  });
});

describe("conversations and traces", () => {
  const conversation = {
    id: "cnv_01",
    data: {
      agentId: "agt_hr",
      agentVersion: "published",
      channel: "api",
      endUserRef: "customer-4411",
      messageCount: 2,
      summary: { text: "The customer asked about parental leave.", throughSeq: 0 },
      createdAt: "2026-02-03T10:00:00.000Z",
      updatedAt: "2026-02-03T10:00:04.000Z",
    },
  };

  it("lists a conversation without its summary, which quotes the end user", () => {
    expect(conversationListItemBody(conversation)).not.toHaveProperty("summary");
    expect(parseConversation(conversationBody(conversation), "c")).toEqual({
      id: "cnv_01",
      agentId: "agt_hr",
      agentVersion: "published",
      channel: "api",
      endUserRef: "customer-4411",
      messageCount: 2,
      createdAt: "2026-02-03T10:00:00.000Z",
      updatedAt: "2026-02-03T10:00:04.000Z",
    });
  });

  it("reads messages as toMessageResponse answers them, with the schema's defaults", () => {
    const question = {
      id: "msg_1",
      data: {
        role: "user",
        content: "How many weeks of parental leave do I get?",
        seq: 0,
        createdAt: "2026-02-03T10:00:00.000Z",
      },
    };
    const answer = {
      id: "msg_2",
      data: {
        role: "assistant",
        content: "You get 16 weeks of paid parental leave [1].",
        seq: 1,
        createdAt: "2026-02-03T10:00:04.000Z",
        citations: [
          {
            ref: "1",
            kbId: "kb_handbook",
            docId: "oKHKFe-ToyjMIMhyk2Ls8XMR",
            docName: "handbook.md",
            chunkId: "oKHKFe-ToyjMIMhyk2Ls8XMR-v2-7",
            quote: "Employees receive 16 weeks of paid parental leave.",
            location: { startOffset: 1200, endOffset: 1650, headingPath: ["Time off", "Parental leave"] },
            score: 0.82,
          },
        ],
        confidence: 0.78,
        explanation: "One passage states the number of weeks.",
        traceId: "trc_2",
        usage: { inputTokens: 812, outputTokens: 21 },
        agentVersion: 2,
      },
    };
    const messages = parseTranscriptMessages({ messages: [question, answer].map(messageBody) }, "m");
    expect(messages[0]).toEqual({
      role: "user",
      id: "msg_1",
      content: "How many weeks of parental leave do I get?",
      createdAt: "2026-02-03T10:00:00.000Z",
    });
    expect(messages[1]).toMatchObject({
      role: "assistant",
      answer: {
        content: "You get 16 weeks of paid parental leave [1].",
        citations: [
          { ref: "1", docName: "handbook.md", location: { headingPath: ["Time off", "Parental leave"] } },
        ],
        confidence: 0.78,
        abstained: false,
        traceId: "trc_2",
        agentVersion: 2,
      },
    });
  });

  it("lists a trace's timings in the platform's order, though Firestore answers map keys sorted", () => {
    const sortedAsFirestoreAnswers = {
      checks: 3,
      context: 1,
      generation: 640,
      guardrails: 2,
      retrieval: 38,
      tools: 0,
      total: 684,
    };
    const trace = {
      id: "trc_2",
      data: {
        status: "answered",
        model: {
          provider: "openai",
          model: "gpt-4o-mini",
          label: "OpenAI gpt-4o-mini",
          temperature: 0.2,
          maxOutputTokens: 800,
        },
        retrieval: { queries: [], knowledgeBaseIds: ["kb_handbook"], candidates: [] },
        toolCalls: [],
        checks: [],
        timingsMs: sortedAsFirestoreAnswers,
        createdAt: "2026-02-03T10:00:04.000Z",
      },
    };
    expect(parseTrace(traceBody(trace), "t").timingsMs).toEqual([
      ["guardrails", 2],
      ["retrieval", 38],
      ["context", 1],
      ["generation", 640],
      ["tools", 0],
      ["checks", 3],
      ["total", 684],
    ]);
  });
});
