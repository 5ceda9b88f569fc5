import type { Output } from './output.js';

const CHUNK = 256 * 1024;

/**
 * Writes a long output in pieces of some 256 KiB, waiting for each to reach
 * the operating system when the stream says its buffer is full, so printing a
 * million actions never holds them all in memory at once.
 */
export function chunkedWriter(out: Output): {
  write(text: string): Promise<void>;
  end(): Promise<void>;
} {
  let pending = '';
  const send = async () => {
    const text = pending;
    pending = '';
    if (!out.write(text)) await out.flush?.();
  };
  return {
    async write(text) {
      pending += text;
      if (pending.length >= CHUNK) await send();
    },
    async end() {
      if (pending) await send();
    },
  };
}
