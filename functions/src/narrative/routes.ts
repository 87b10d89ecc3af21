/**
 * The end users' REST routes: who agents with long-term memory have talked to, what they remember about each
 * (editable), and the consistency flags raised when an answer contradicted an earlier one. Reads need
 * `conversations.view` (the people who may read transcripts), changes `agents.manage`. The Agent Engine's part
 * (whether an agent exists, an end user's conversations) is composed in by channels/api/routes.ts.
 */
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { route, type Route } from "../platform/http/router.js";
import { idSchema, validate } from "../platform/validation.js";
import {
  addMemory,
  addMemoryInput,
  deleteMemory,
  editMemory,
  editMemoryInput,
  endUserListQuery,
  getEndUser,
  listEndUsers,
  reviewFlag,
  reviewFlagInput,
  type EndUserDetail,
} from "./end-users.js";
import { endUserKeySchema } from "./schema.js";

const tag = "End users";
const endUserParams = z.object({ endUserKey: endUserKeySchema });
const memoryParams = z.object({ endUserKey: endUserKeySchema, memoryId: idSchema });
const flagParams = z.object({ endUserKey: endUserKeySchema, flagId: idSchema });

export interface EndUserHooks {
  readonly agentExists: (deps: Deps, tenantId: string, agentId: string) => Promise<boolean>;
  readonly conversationsOf: (
    deps: Deps,
    tenantId: string,
    endUserRef: string,
  ) => Promise<EndUserDetail["conversations"]>;
}

export function endUserRoutes(hooks: EndUserHooks): Route<unknown, unknown>[] {
  return [
    route({
      method: "GET",
      path: "/v1/end-users",
      summary:
        "End users that agents with long-term memory have talked to, most recently seen first, 50 a page " +
        "(?cursor= the previous page's nextCursor; ?q= keeps references containing it, searching the 2,000 most recent)",
      tag,
      permission: "conversations.view",
      handle: ({ deps, caller, request }) =>
        listEndUsers(
          deps,
          caller.tenantId,
          validate(endUserListQuery, Object.fromEntries(request.query), "query parameter"),
        ),
    }),
    route({
      method: "GET",
      path: "/v1/end-users/{endUserKey}",
      summary:
        "One end user (the key is the first 40 hex digits of the SHA-256 of their endUserRef): memories in every " +
        "scope (active first, then history), their latest 100 conversations and consistency flags",
      tag,
      permission: "conversations.view",
      params: endUserParams,
      handle: ({ deps, caller, params }) =>
        getEndUser(deps, caller.tenantId, params.endUserKey, (ref) =>
          hooks.conversationsOf(deps, caller.tenantId, ref),
        ),
    }),
    route({
      method: "POST",
      path: "/v1/end-users/{endUserKey}/memories",
      summary:
        "Add a memory about the end user (method `editor`), for one agent (agentId) or every agent with " +
        "workspace-scope memory (agentId null); with a key, it supersedes the active memory of that key",
      tag,
      permission: "agents.manage",
      params: endUserParams,
      body: { kind: "json", schema: addMemoryInput },
      status: 201,
      handle: ({ deps, caller, params, body }) =>
        addMemory(deps, caller.tenantId, params.endUserKey, body, caller.uid, (agentId) =>
          hooks.agentExists(deps, caller.tenantId, agentId),
        ),
    }),
    route({
      method: "PATCH",
      path: "/v1/end-users/{endUserKey}/memories/{memoryId}",
      summary: "Correct a memory's text, kind or expiry (recorded as edited by the caller)",
      tag,
      permission: "agents.manage",
      params: memoryParams,
      body: { kind: "json", schema: editMemoryInput },
      handle: ({ deps, caller, params, body }) =>
        editMemory(deps, caller.tenantId, params.endUserKey, params.memoryId, body, caller.uid),
    }),
    route({
      method: "DELETE",
      path: "/v1/end-users/{endUserKey}/memories/{memoryId}",
      summary:
        "Delete a memory with its history (the versions it superseded; a version that replaced it stays)",
      tag,
      permission: "agents.manage",
      params: memoryParams,
      status: 204,
      raw: true,
      handle: async ({ deps, caller, params }) => {
        await deleteMemory(deps, caller.tenantId, params.endUserKey, params.memoryId);
        return { status: 204 };
      },
    }),
    route({
      method: "PATCH",
      path: "/v1/end-users/{endUserKey}/flags/{flagId}",
      summary: "Mark a consistency flag reviewed (or open again)",
      tag,
      permission: "agents.manage",
      params: flagParams,
      body: { kind: "json", schema: reviewFlagInput },
      handle: ({ deps, caller, params, body }) =>
        reviewFlag(deps, caller.tenantId, params.endUserKey, params.flagId, body.status, caller.uid),
    }),
  ];
}
