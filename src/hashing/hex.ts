/** Each byte's two hex digits, made once: keys are hashed on the beacon path, several per event. */
const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

const encoder = new TextEncoder();

/** `bytes` in lowercase hex; only the first `byteCount` bytes when given. */
export function toHex(bytes: ArrayBuffer | Uint8Array, byteCount = bytes.byteLength): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let hex = '';
  for (let i = 0; i < Math.min(byteCount, view.length); i++) hex += BYTE_HEX[view[i]!];
  return hex;
}

/** The SHA-256 of `text` (UTF-8) in hex; only its first `byteCount` bytes when given. */
export async function sha256Hex(text: string, byteCount?: number): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', encoder.encode(text)), byteCount);
}
