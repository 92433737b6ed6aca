import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OtlpDecodeError } from "./decode-error.js";
import { decodeJsonTraces } from "./decode-json.js";
import { decodeProtobufTraces } from "./decode-protobuf.js";
import { exportRequest, misshapenRequest } from "./testdata/arbitraries.js";
import { encodeAsProtobuf } from "./testdata/encode.js";
import { FULL_REQUEST } from "./testdata/full-request.js";

const options = { maxAttributesPerSpan: 4 };

/** The decoders' contract for untrusted bodies: return, or throw OtlpDecodeError — nothing else. */
function returnsOrThrowsDecodeError(decode: () => unknown): boolean {
  try {
    decode();
  } catch (error) {
    if (!(error instanceof OtlpDecodeError)) throw error;
  }
  return true;
}

const validBody = encodeAsProtobuf(FULL_REQUEST);

/** A valid body with a few bytes overwritten and maybe cut short: mostly-right input finds more paths. */
const corruptedBody = fc
  .record({
    edits: fc.array(fc.record({ at: fc.nat(validBody.length - 1), byte: fc.integer({ min: 0, max: 255 }) }), {
      minLength: 1,
      maxLength: 4,
    }),
    length: fc.integer({ min: 0, max: validBody.length }),
  })
  .map(({ edits, length }) => {
    const body = Uint8Array.from(validBody);
    for (const { at, byte } of edits) body[at] = byte;
    return body.subarray(0, length);
  });

// Each run is a few milliseconds; the timeout is what "never hangs" means here.
describe("decoders on arbitrary input", { timeout: 60_000 }, () => {
  it("decodeProtobufTraces returns or throws OtlpDecodeError for any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (body) =>
        returnsOrThrowsDecodeError(() => decodeProtobufTraces(body, options)),
      ),
      { numRuns: 2000 },
    );
  });

  it("decodeProtobufTraces returns or throws OtlpDecodeError for corrupted valid requests", () => {
    fc.assert(
      fc.property(corruptedBody, (body) =>
        returnsOrThrowsDecodeError(() => decodeProtobufTraces(body, options)),
      ),
      { numRuns: 2000 },
    );
  });

  it("decodeJsonTraces returns or throws OtlpDecodeError for any string", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (body) =>
        returnsOrThrowsDecodeError(() => decodeJsonTraces(body, options)),
      ),
      { numRuns: 2000 },
    );
  });

  it("decodeJsonTraces returns or throws OtlpDecodeError for any JSON in the places a request has structure", () => {
    fc.assert(
      fc.property(misshapenRequest, (request) =>
        returnsOrThrowsDecodeError(() => decodeJsonTraces(JSON.stringify(request), options)),
      ),
      { numRuns: 2000 },
    );
  });
});

describe("protobuf and JSON agree", { timeout: 60_000 }, () => {
  it("decode the same generated request to the same spans and rejections", () => {
    fc.assert(
      fc.property(exportRequest, (request) => {
        const fromProtobuf = decodeProtobufTraces(encodeAsProtobuf(request), options);
        const fromJson = decodeJsonTraces(JSON.stringify(request), options);
        expect(fromProtobuf).toEqual(fromJson);
      }),
      { numRuns: 500 },
    );
  });
});
