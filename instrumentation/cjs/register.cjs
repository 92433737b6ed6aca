// `node -r @burnrate/instrumentation/register app.js` for CommonJS apps, or
// `require("@burnrate/instrumentation/register")` as the first line. Node 20.19+ can
// require the ESM build synchronously; CommonJS apps only load the SDKs' CommonJS copies.
require("../dist/setup.js").registerSync();
