import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seamContract } from "../test/seam-contract.js";
import { openEmbedded } from "./embedded.js";
import { StorageUnavailableError } from "./errors.js";

describe("embedded chDB driver", () => {
  seamContract(() => openEmbedded(mkdtempSync(join(tmpdir(), "burnrate-seam-"))));
});

describe("embedded chDB driver start-up errors", () => {
  it("names the data directory it cannot write", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "burnrate-notdir-")), "a-file");
    writeFileSync(file, "");
    const dir = join(file, "data");
    await expect(openEmbedded(dir)).rejects.toThrow(
      new StorageUnavailableError(
        `cannot write the data directory ${dir} (ENOTDIR); set BURNRATE_DATA_DIR or storage.dataDir to a writable directory`,
      ),
    );
  });
});
