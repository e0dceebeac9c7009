import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import wireFormatDoc from "../../../../docs/wire-format.md?raw";
import golden from "../../test-vectors/frame-golden.json";
import { ackStatusOf } from "../errors/error-codes.js";
import { AckStatus } from "../gen/cyxwiz/data/v1/data_transfer_pb.js";
import { decodeFrame, decodeFrameHeader, encodeFrame, encodeFrameParts as encodeFramePartsFn } from "./frame-codec.js";
import { FRAME_OVERHEAD_BYTES, FrameFlag, KNOWN_FLAGS } from "./frame-format.js";

const primitives = await loadPrimitives();
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => new Uint8Array((s.match(/../g) ?? []).map((h) => Number.parseInt(h, 16)));

describe("frame codec: golden vectors (docs/wire-format.md)", () => {
  for (const g of golden.frames) {
    it(`encodes ${g.name} byte for byte`, async () => {
      const frame = await encodeFrame(primitives, {
        sequence: g.sequence,
        flags: g.flags,
        payload: unhex(g.payloadHex),
      });
      expect(hex(frame)).toBe(g.frameHex);
    });
    it(`decodes ${g.name}`, async () => {
      const r = await decodeFrame(primitives, unhex(g.frameHex));
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value.sequence).toBe(BigInt(g.sequence));
      expect(r.value.flags).toBe(g.flags);
      expect(hex(r.value.payload)).toBe(g.payloadHex);
      expect(r.value.version).toBe(1);
    });
  }

  it("docs/wire-format.md shows every golden frame", () => {
    for (const g of golden.frames) expect(wireFormatDoc).toContain(`\`${g.frameHex}\``);
  });

  it("lays out the header big-endian as the seed does", async () => {
    const frame = await encodeFrame(primitives, {
      sequence: 0x0102030405n,
      flags: FrameFlag.COMPRESSED,
      payload: new Uint8Array(3),
    });
    expect(hex(frame.subarray(0, 24))).toBe("43595857" + "00000001" + "0000000102030405" + "00000003" + "00000001");
    expect(frame.length).toBe(3 + FRAME_OVERHEAD_BYTES);
  });

  it("uses a caller's precomputed checksum instead of hashing again", async () => {
    const payload = new Uint8Array([1, 2, 3]);
    const digest = await primitives.sha256(payload);
    const a = await encodeFrame(primitives, { sequence: 7, flags: 0, payload });
    const b = await encodeFrame(primitives, { sequence: 7, flags: 0, payload, checksum: digest });
    expect(hex(b)).toBe(hex(a));
  });
});

describe("frame codec: properties", () => {
  const frameInput = fc.record({
    sequence: fc.integer({ min: 0, max: 0xffffffff }),
    flags: fc.integer({ min: 0, max: KNOWN_FLAGS }),
    payload: fc.uint8Array({ maxLength: 2048 }),
  });

  it("round-trips any frame", async () => {
    await fc.assert(
      fc.asyncProperty(frameInput, async (input) => {
        const r = await decodeFrame(primitives, await encodeFrame(primitives, input));
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value.sequence).toBe(BigInt(input.sequence));
        expect(r.value.flags).toBe(input.flags);
        expect(hex(r.value.payload)).toBe(hex(input.payload));
      }),
      { numRuns: 200 },
    );
  });

  it("detects every single-bit flip anywhere in a frame", async () => {
    const payload = new Uint8Array(64).map((_, i) => i * 7);
    const frame = await encodeFrame(primitives, { sequence: 5, flags: FrameFlag.REQUIRES_ACK, payload });
    for (let bit = 0; bit < frame.length * 8; bit++) {
      const bad = frame.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      const r = await decodeFrame(primitives, bad);
      expect(r.ok, `flip of bit ${bit} went undetected`).toBe(false);
      if (!r.ok) expect(ackStatusOf(r.error.code), `bit ${bit}: ${r.error.code}`).not.toBe(undefined);
    }
  });

  it("detects a random single-bit flip in random frames", async () => {
    await fc.assert(
      fc.asyncProperty(frameInput, fc.nat(), async (input, where) => {
        const frame = await encodeFrame(primitives, input);
        const bit = where % (frame.length * 8);
        frame[bit >> 3]! ^= 1 << (bit & 7);
        expect((await decodeFrame(primitives, frame)).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("frame codec: bad input gets a typed failure", () => {
  const good = async () => encodeFrame(primitives, { sequence: 3, flags: 0, payload: new Uint8Array([9, 9, 9, 9]) });

  it("truncated frames", async () => {
    const f = await good();
    for (const len of [0, 1, 23, 24, 27, f.length - 1]) {
      const r = await decodeFrame(primitives, f.subarray(0, len));
      expect(r.ok ? "ok" : r.error.code).toBe("CYXW_ERR_TRUNCATED");
    }
  });

  it("trailing bytes after the trailer", async () => {
    const f = await good();
    const longer = new Uint8Array(f.length + 1);
    longer.set(f);
    const r = await decodeFrame(primitives, longer);
    expect(r.ok ? "ok" : r.error.code).toBe("CYXW_ERR_TRAILING_BYTES");
  });

  it("wrong magic, wrong version, unknown flags", async () => {
    const cases: Array<[number, number, string]> = [
      [0, 0x00, "CYXW_ERR_MAGIC"],
      [7, 0x02, "CYXW_ERR_VERSION"],
      [23, 0x20, "CYXW_ERR_UNKNOWN_FLAGS"],
      [20, 0x80, "CYXW_ERR_UNKNOWN_FLAGS"],
    ];
    for (const [offset, value, code] of cases) {
      const f = await good();
      f[offset] = value;
      const r = await decodeFrame(primitives, f);
      expect(r.ok ? "ok" : r.error.code).toBe(code);
    }
  });

  it("an oversized payload_size is refused from the header alone, before allocation", () => {
    const header = new Uint8Array(24);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0x43595857);
    v.setUint32(4, 1);
    v.setUint32(16, 0xffffffff);
    const r = decodeFrameHeader(header, { maxPayloadBytes: 4 * 1024 * 1024 });
    expect(r.ok ? "ok" : r.error.code).toBe("CYXW_ERR_PAYLOAD_TOO_LARGE");
    if (!r.ok) expect(r.error.message).toMatch(/4294967295-byte payload; the limit is 4194304/);
  });

  it("corrupted payload is an FCS error; corrupted checksum a checksum mismatch", async () => {
    const a = await good();
    a[25]! ^= 0xff;
    const ra = await decodeFrame(primitives, a);
    expect(ra.ok ? AckStatus.ACK_OK : ackStatusOf(ra.error.code)).toBe(AckStatus.ACK_FCS_ERROR);
    const b = await good();
    b[b.length - 1]! ^= 0x01;
    const rb = await decodeFrame(primitives, b);
    expect(rb.ok ? AckStatus.ACK_OK : ackStatusOf(rb.error.code)).toBe(AckStatus.ACK_CHECKSUM_MISMATCH);
  });

  it("a payload altered together with a recomputed FCS still fails the SHA-256 check", async () => {
    const f = await good();
    f[24]! ^= 1;
    const n = f.length - 36;
    new DataView(f.buffer).setUint32(n, primitives.crc32(f.subarray(0, n)));
    const r = await decodeFrame(primitives, f);
    expect(r.ok ? "ok" : r.error.code).toBe("CYXW_ERR_CHECKSUM");
  });

  it("encodeFrame refuses flags and sequences it cannot represent", async () => {
    await expect(encodeFrame(primitives, { sequence: 0, flags: 0x40, payload: new Uint8Array() })).rejects.toThrow(
      RangeError,
    );
    await expect(encodeFrame(primitives, { sequence: 2n ** 64n, flags: 0, payload: new Uint8Array() })).rejects.toThrow(
      RangeError,
    );
    await expect(encodeFrame(primitives, { sequence: -1, flags: 0, payload: new Uint8Array() })).rejects.toThrow(
      RangeError,
    );
  });
});

describe("frame codec: parts", () => {
  it("encodeFrameParts gives the same bytes as encodeFrame, without copying the payload", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 1024 }),
        fc.integer({ min: 0, max: KNOWN_FLAGS }),
        async (payload, flags) => {
          const parts = await encodeFramePartsFn(primitives, { sequence: 9, flags, payload });
          expect(parts.payload).toHaveLength(1);
          expect(parts.payload[0]).toBe(payload);
          const whole = await encodeFrame(primitives, { sequence: 9, flags, payload });
          const joined = new Uint8Array([...parts.header, ...parts.payload[0]!, ...parts.trailer]);
          expect(hex(joined)).toBe(hex(whole));
          // A payload given in pieces frames exactly as the joined payload does, pieces uncopied.
          const cut = payload.length >> 1;
          const pieces = [payload.subarray(0, cut), payload.subarray(cut)];
          const split = await encodeFramePartsFn(primitives, { sequence: 9, flags, payload: pieces });
          expect(split.payload[0]).toBe(pieces[0]);
          expect(split.payload[1]).toBe(pieces[1]);
          expect(hex(await encodeFrame(primitives, { sequence: 9, flags, payload: pieces }))).toBe(hex(whole));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("frame codec: writing into a caller's buffer", () => {
  it("writes the same bytes into `into` when it is large enough, and a fresh buffer otherwise", async () => {
    const payload = new Uint8Array(300).map((_, i) => i);
    const fresh = await encodeFrame(primitives, { sequence: 5, flags: 0, payload });
    const into = new Uint8Array(1000).fill(0xee);
    const written = await encodeFrame(primitives, { sequence: 5, flags: 0, payload }, into);
    expect(written.buffer).toBe(into.buffer);
    expect(hex(written)).toBe(hex(fresh));
    expect(into[fresh.length]).toBe(0xee); // nothing past the frame is touched
    const small = new Uint8Array(10);
    const other = await encodeFrame(primitives, { sequence: 5, flags: 0, payload }, small);
    expect(other.buffer).not.toBe(small.buffer);
    expect(hex(other)).toBe(hex(fresh));
  });
});
