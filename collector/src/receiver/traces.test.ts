import { afterEach, describe, expect, it, vi } from "vitest";
import type { Batch } from "../pipeline/batch.js";
import { exportRequest, type Format, post, startReceiver, type TestReceiver } from "./testdata/receiver.js";

let receiver: TestReceiver | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await receiver?.stop();
  receiver = undefined;
});

const X = "00f067aa0ba902b7";
const Y = "00f067aa0ba902b8";

/** A promise settled from outside, standing in for a spool append whose fsync is slow. */
function heldAppend() {
  let settle!: { resolve: () => void; reject: (error: Error) => void };
  const promise = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  return { promise, ...settle };
}

const until = async (done: () => boolean) => {
  const deadline = Date.now() + 5_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
};

describe("a copy of a span that another request is still spooling", () => {
  it("is answered only once that request's append is known: 503 when it failed, so the client retries", async () => {
    receiver = await startReceiver();
    const r = receiver;
    const held = heldAppend();
    const append = vi.spyOn(r.spool, "append").mockImplementationOnce(() => held.promise);
    const first = post(r.url, exportRequest([X]));
    await until(() => append.mock.calls.length === 1);
    let early: unknown;
    const retry = post(r.url, exportRequest([X])).then((answer) => {
      early = answer;
      return answer;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(early).toBeUndefined();
    held.reject(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
    expect({ first: await first, retry: await retry }).toEqual({
      first: {
        status: 503,
        type: "application/json",
        retryAfter: "1",
        body: {
          code: 14,
          message: "the collector could not spool the batch (EIO: i/o error, fdatasync); retry later",
        },
      },
      retry: {
        status: 503,
        type: "application/json",
        retryAfter: "1",
        body: {
          code: 14,
          message:
            "some spans of this request arrived in another export request too, which could not spool them; retry later",
        },
      },
    });
    expect(await post(r.url, exportRequest([X]))).toEqual({
      status: 200,
      type: "application/json",
      retryAfter: null,
      body: {},
    });
    expect(await r.spooledSpanIds()).toEqual([X]);
  });

  it("is answered 200 once that request's append is on disk, and is spooled once", async () => {
    receiver = await startReceiver();
    const r = receiver;
    const held = heldAppend();
    const spoolRecord = r.spool.append.bind(r.spool);
    const append = vi
      .spyOn(r.spool, "append")
      .mockImplementationOnce((record) => held.promise.then(() => spoolRecord(record)));
    // The copy rides with a span of its own, which is spooled while the copy waits.
    const first = post(r.url, exportRequest([X]));
    await until(() => append.mock.calls.length === 1);
    let early: unknown;
    const retry = post(r.url, exportRequest([X, Y])).then((answer) => {
      early = answer;
      return answer;
    });
    await until(() => append.mock.calls.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(early).toBeUndefined();
    held.resolve();
    const ok = { status: 200, type: "application/json", retryAfter: null, body: {} };
    expect({ first: await first, retry: await retry }).toEqual({ first: ok, retry: ok });
    expect((await r.spooledSpanIds()).sort()).toEqual([X, Y]);
  });
});

describe("an unexpected throw while a request is processed", () => {
  const answers = {
    json: {
      status: 500,
      type: "application/json",
      retryAfter: null,
      body: {
        code: 13,
        message:
          "the collector failed to process the batch (an internal error, logged); nothing of it was kept",
      },
    },
    protobuf: {
      status: 500,
      type: "application/x-protobuf",
      retryAfter: null,
      body: {
        code: 13,
        message:
          "the collector failed to process the batch (an internal error, logged); nothing of it was kept",
      },
    },
  };

  it.each(["json", "protobuf"] as Format[])(
    "in a stage after dedupe is answered 500 with a google.rpc.Status (%s), and a resend is taken",
    async (format) => {
      let broken = true;
      const fault = (batch: Batch) => {
        if (broken) throw new TypeError("provider.trim is not a function");
        return batch;
      };
      receiver = await startReceiver({ extra: [{ name: "fault", process: fault }] });
      const r = receiver;
      expect(await post(r.url, exportRequest([X, Y]), format)).toEqual(answers[format]);
      broken = false;
      expect(await post(r.url, exportRequest([X, Y]), format)).toEqual({
        status: 200,
        type: format === "json" ? "application/json" : "application/x-protobuf",
        retryAfter: null,
        body: {},
      });
      expect(await r.spooledSpanIds()).toEqual([X, Y]);
      expect(r.logs).toEqual([
        expect.stringMatching(
          /^burnrate: could not process an export request: TypeError: provider\.trim is not a function\n {4}at /,
        ),
      ]);
    },
  );

  it("while the batch is made into a spool record is answered 500, and a resend is taken", async () => {
    let broken = true;
    receiver = await startReceiver({
      version: () => {
        if (broken) throw new RangeError("clock went backwards");
        return 1n;
      },
    });
    const r = receiver;
    expect(await post(r.url, exportRequest([X]))).toEqual(answers.json);
    broken = false;
    expect(await post(r.url, exportRequest([X]))).toEqual({
      status: 200,
      type: "application/json",
      retryAfter: null,
      body: {},
    });
    expect(await r.spooledSpanIds()).toEqual([X]);
  });
});
