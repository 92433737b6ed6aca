/**
 * Whether a call failed, and how. `error.type` is the instrumentation's low-cardinality class
 * name; the `exception` event is the OTel SDK's record of a thrown error.
 */
import type { LlmCall } from "../llm-call.js";
import { ATTR_ERROR_TYPE, ATTR_EXCEPTION_TYPE, EVENT_EXCEPTION } from "../semconv.js";
import { type Span, StatusCode } from "../span.js";
import { readString } from "./attributes.js";

/** The `error.type` value semconv reserves for an error whose class is unknown. */
const OTHER_ERROR = "_OTHER";

/**
 * The call's status and error type. A call is an error when its span status is ERROR or it
 * carries `error.type`. The type comes from `error.type`, else from the first `exception`
 * event, else `_OTHER`. A successful call has no error type even if it recorded a handled
 * exception, so error dashboards never count it.
 * @example callStatus(span) // { status: "error", errorType: "RateLimitError" }
 */
export function callStatus(span: Span): Pick<LlmCall, "status" | "errorType"> {
  const errorType = readString(span.attributes, ATTR_ERROR_TYPE);
  if (span.status.code !== StatusCode.ERROR && errorType === "") return { status: "ok", errorType: "" };
  return { status: "error", errorType: errorType || exceptionType(span) || OTHER_ERROR };
}

function exceptionType(span: Span): string {
  for (const event of span.events) {
    if (event.name !== EVENT_EXCEPTION) continue;
    const type = readString(event.attributes, ATTR_EXCEPTION_TYPE);
    if (type !== "") return type;
  }
  return "";
}
