export { createQueryApi, type QueryApiOptions } from "./app.js";
