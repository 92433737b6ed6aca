const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Lowercase hex of `bytes[start..end)`; "" for no bytes. */
export function bytesToHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let hex = "";
  for (let i = start; i < end; i++) hex += BYTE_HEX[bytes[i]!];
  return hex;
}

const HEX_PATTERN = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Normalises an OTLP/JSON id (case-insensitive hex, per the OTLP spec) to lowercase hex.
 * Returns undefined when the text is not whole bytes of hex, so the caller can say where it was.
 */
export function normaliseHex(text: string): string | undefined {
  if (!HEX_PATTERN.test(text)) return undefined;
  return text.toLowerCase();
}
