/**
 * Web chat widgets over the platform's REST API, as the signed-in admin (see widgets.ts for the interface):
 * the requests, and the reading of their answers, checked at the edge. The check is strict on purpose: the
 * key and the theme go into a snippet people paste into their sites, so a key of another shape is refused
 * rather than shown.
 */
import { defaultEnvironment } from "../environments";
import { requestAsSignedIn } from "../session";
import {
  widgetPositions,
  type CreatedWidget,
  type Theme,
  type Widget,
  type WidgetError,
  type WidgetPosition,
  type WidgetsSource,
} from "../widgets";
import {
  field,
  isBoolean,
  isNullableString,
  isString,
  isStringArray,
  list,
  optional,
  parseWith,
  record,
  ShapeError,
} from "./shape";

const widgetsPath = "/v1/widgets";
const widgetPath = (widgetId: string) => `${widgetsPath}/${encodeURIComponent(widgetId)}`;

export const restWidgets: WidgetsSource = {
  async listWidgets(signal) {
    return parseWidgetList(await requestAsSignedIn(widgetsPath, { signal }), widgetsPath);
  },
  async createWidget(input) {
    const body = await requestAsSignedIn(widgetsPath, { method: "POST", body: input });
    return parseCreatedWidget(body, `POST ${widgetsPath}`, widgetsPath);
  },
  async updateWidget(widgetId, patch) {
    const path = widgetPath(widgetId);
    const body = await requestAsSignedIn(path, { method: "PATCH", body: patch });
    return parseCreatedWidget(body, `PATCH ${path}`, path);
  },
  async deleteWidget(widgetId) {
    await requestAsSignedIn(widgetPath(widgetId), { method: "DELETE" });
  },
};

// ----- parsing ----------------------------------------------------------------------------------------

/** `wk_` and base64url: nothing that could close the snippet's attribute. */
const isWidgetKey = (v: unknown): v is string => isString(v) && /^wk_[A-Za-z0-9_-]+$/.test(v);
const isHexColor = (v: unknown): v is string => isString(v) && /^#[0-9a-fA-F]{6}$/.test(v);
const isPosition = (v: unknown): v is WidgetPosition =>
  isString(v) && (widgetPositions as readonly string[]).includes(v);

function parseTheme(value: unknown): Theme {
  const t = record(value, "theme");
  try {
    return {
      color: field(t, "color", isHexColor),
      title: field(t, "title", isString),
      greeting: field(t, "greeting", isString),
      suggestedQuestions: field(t, "suggestedQuestions", isStringArray),
      position: field(t, "position", isPosition),
    };
  } catch (error) {
    if (error instanceof ShapeError) throw new ShapeError(`theme.${error.message}`);
    throw error;
  }
}

function parseWidgetError(value: unknown): WidgetError | null {
  if (value === null) return null;
  const e = record(value, "lastError");
  return {
    at: field(e, "at", isString),
    code: field(e, "code", isString),
    message: field(e, "message", isString),
  };
}

export function parseWidgetRecord(value: unknown): Widget {
  const w = record(value, "widget");
  return {
    id: field(w, "id", isString),
    name: field(w, "name", isString),
    agentId: field(w, "agentId", isString),
    key: field(w, "key", isWidgetKey),
    allowedOrigins: field(w, "allowedOrigins", isStringArray),
    theme: parseTheme(w.theme),
    identityVerification: field(w, "identityVerification", isBoolean),
    // A platform from before environments names none: its widgets talk to production.
    environment: optional(w, "environment", isString, defaultEnvironment),
    createdAt: field(w, "createdAt", isString),
    updatedAt: field(w, "updatedAt", isString),
    lastActivityAt: field(w, "lastActivityAt", isNullableString),
    lastError: parseWidgetError(w.lastError),
  };
}

/** `GET /v1/widgets`. */
export function parseWidgetList(body: unknown, path: string): Widget[] {
  return parseWith(
    () => list(body, "widgets").map(parseWidgetRecord),
    `GET ${path}`,
    path,
    "a list of widgets",
  );
}

/** The answer of a creation or a change: the widget, and its identity secret when one was just made. */
export function parseCreatedWidget(body: unknown, request: string, path: string): CreatedWidget {
  return parseWith(
    () => {
      const widget = parseWidgetRecord(body);
      const secret = optional(record(body, "body"), "identitySecret", isString, undefined);
      if (secret === "") throw new ShapeError("identitySecret");
      return { widget, identitySecret: secret };
    },
    request,
    path,
    "a widget",
  );
}
