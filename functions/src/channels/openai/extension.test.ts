/**
 * The published extension types (extension.ts) against what the server builds: a type that drifts from the
 * server's own shapes fails to compile here (vitest's expectTypeOf runs under `npm run typecheck` too).
 */
import { describe, expectTypeOf, it } from "vitest";
import type { Citation } from "../../accountability/schema.js";
import type { MessageView } from "../../agents/conversations.js";
import type { AlchemistAnswer, AlchemistCitation, AlchemistResponse } from "./extension.js";
import type { ResponseResource } from "./responses.js";

describe("the accountability extension's types", () => {
  it("describe the citations and answers the server sends", () => {
    expectTypeOf<Citation>().toExtend<AlchemistCitation>();
    expectTypeOf<MessageView["citations"]>().toExtend<AlchemistAnswer["citations"]>();
    expectTypeOf<MessageView["confidence"]>().toEqualTypeOf<AlchemistAnswer["confidence"]>();
    expectTypeOf<MessageView["agentVersion"]>().toEqualTypeOf<AlchemistAnswer["agentVersion"]>();
    expectTypeOf<ResponseResource["alchemist"]>().toEqualTypeOf<AlchemistResponse["alchemist"]>();
  });
});
