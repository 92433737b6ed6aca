export { createQueryApi, type QueryApiOptions, queryApiDocument } from "./app.js";
export { HttpError } from "./http/http-error.js";
export { DEFAULT_ROUTING_TARGETS } from "./insights/routing.js";
export { MOST_RANKED as TRACE_SEARCH_MOST_RANKED } from "./queries/trace-search.js";
