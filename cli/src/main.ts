import { run } from "./run.js";

// Exit explicitly: the embedded engine keeps native threads that would otherwise hold
// the process open after the last handle closes.
run(process.argv.slice(2)).then((code) => process.exit(code));
