// `node --import @burnrate/instrumentation/register app.js`, or `import "@burnrate/instrumentation/register"`
// as an ESM app's first line. Top-level await: the app's own code runs only after the SDK
// copies it imports are patched.
import { register } from "./setup.js";

await register();
