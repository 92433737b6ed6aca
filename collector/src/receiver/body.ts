import type { IncomingMessage } from "node:http";
import { gunzip } from "node:zlib";
import { HttpError } from "./http-error.js";

/**
 * Reads a request body of at most `maxBytes`. The cap applies after decompression, so a
 * small gzip bomb is stopped once it inflates past the cap rather than filling memory.
 * Decompression runs on libuv's thread pool, off the event loop.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase().trim();
  if (encoding !== "identity" && encoding !== "gzip") {
    throw new HttpError(415, `unsupported Content-Encoding "${encoding}"; send gzip or no encoding`);
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (encoding === "identity") return raw;
  return new Promise((resolve, reject) => {
    gunzip(raw, { maxOutputLength: maxBytes }, (error, out) => {
      if (!error) return resolve(out);
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return reject(tooLarge(maxBytes));
      reject(new HttpError(400, `invalid gzip body: ${error.message}`));
    });
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    `request body is larger than ${maxBytes} bytes after decompression (receiver.maxBodyBytes); send smaller batches`,
  );
}
