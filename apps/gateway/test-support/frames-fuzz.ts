/**
 * Frames WebSocket fuzzing (docs/testing.md, "Fuzzing"): a session is one transfer and a script
 * of messages (valid chunk frames, damaged ones, random bytes, oversized and text messages,
 * fragmented or not) sent over one to three real WebSockets to a loopback gateway, interleaved;
 * then every missing chunk is sent once more and the upload is committed. Shared by
 * `src/data-plane/frames-socket.fuzz.test.ts` (10,000 messages by default) and the fast replay of
 * the pinned sessions, `src/data-plane/frames-fuzz-regressions.test.ts`.
 *
 * Valid frames follow the transfer's declared geometry (chunk_size C, num_chunks T: chunk i holds
 * C bytes, the last what is left; uncompressed, unencrypted), so they stay valid under any check
 * of chunk sizes against the declaration. A session is plain JSON: data and frames are rebuilt
 * from it.
 */
import { create, fromBinary } from "@bufbuild/protobuf";
import { ackStatusOf, ERROR_CODES, type ErrorCode } from "@cyxwiz/protocol/errors";
import { encodeFrame, FrameFlag } from "@cyxwiz/protocol/frame";
import {
  CLOSE_CODES,
  FRAMES_CLOSE_REASONS,
  framesCloseReasonOf,
  framesPath,
  framesSubprotocols,
} from "@cyxwiz/protocol/frames-endpoint";
import {
  AckStatus,
  DataClassification,
  type DatasetManifest,
  FrameStreamMessageSchema,
  TransferRequestSchema,
} from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import fc from "fast-check";
import WebSocket from "ws";
import { type Clients, packForUpload, type RunningGateway, startGateway } from "./gateway-harness.js";

/** The gateway the sessions run against: small frames, so oversized messages are cheap to send. */
export const FUZZ_MAX_PAYLOAD_BYTES = 128 * 1024;
/**
 * Every message this long is over the gateway's WebSocket limit (gateway.ts `maxPayload`: the
 * payload bound plus a frame's overhead, with room to spare), so it is closed with 1009.
 */
export const OVERSIZED_MESSAGE_BYTES = FUZZ_MAX_PAYLOAD_BYTES + 1025;

export function startFuzzGateway(): Promise<RunningGateway> {
  return startGateway({ CYXWIZ_MAX_PAYLOAD_BYTES: String(FUZZ_MAX_PAYLOAD_BYTES), CYXWIZ_RATE_LIMIT: "1000000" });
}

/** Damage that always makes a frame one the gateway must refuse (never store, never ack OK). */
export type Damage =
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  | { readonly kind: "truncate"; readonly keep: number }
  | { readonly kind: "extend"; readonly bytes: number }
  /** Well-formed, with COMPRESSED (1), ENCRYPTED (2) or LAST_FRAME (4) contradicting the transfer. */
  | { readonly kind: "flags"; readonly toggle: 1 | 2 | 4 }
  /** Well-formed, for chunk T + past, or 2^64 - 1 - past when `huge`. */
  | { readonly kind: "beyond"; readonly past: number; readonly huge: boolean }
  /** A header field rewritten (FCS left as it was): 0 magic, 4 version, 16 payload_size, 20 flags. */
  | { readonly kind: "field"; readonly offset: 0 | 4 | 16 | 20; readonly value: number };

export type GatewayMessage =
  | {
      readonly kind: "valid";
      /** Taken modulo T. */
      readonly index: number;
      /** Ignore `index`: send the chunk after the one the session's last sequential frame carried (0 first), as an uploader does. */
      readonly sequential: boolean;
      readonly requiresAck: boolean;
      readonly retransmit: boolean;
      /** Where the message is cut into WebSocket fragments (modulo its length + 1). */
      readonly fragments: readonly number[];
    }
  | {
      readonly kind: "damaged";
      readonly index: number;
      readonly damage: Damage;
      readonly fragments: readonly number[];
    }
  /** `length` pseudo-random bytes from `seed`, behind a CYXW magic and version when `framed`. */
  | {
      readonly kind: "random";
      readonly length: number;
      readonly seed: number;
      readonly framed: boolean;
      readonly fragments: readonly number[];
    }
  /** OVERSIZED_MESSAGE_BYTES + extra zero bytes: over the WebSocket limit, the gateway closes with 1009. */
  | { readonly kind: "oversized"; readonly extra: number }
  /** A text message: the gateway closes with 1003. */
  | { readonly kind: "text"; readonly text: string };

export interface GatewayAction {
  /** Which of the session's sockets sends it (modulo `sockets`); a closed one is opened again. */
  readonly socket: number;
  readonly message: GatewayMessage;
}

export interface GatewaySession {
  readonly numChunks: number;
  readonly chunkSize: number;
  /** The last chunk holds 1 + lastSize % chunkSize bytes. */
  readonly lastSize: number;
  readonly dataSeed: number;
  readonly sockets: number;
  readonly actions: readonly GatewayAction[];
}

/** A corpus entry (src/data-plane/frames-fuzz-regressions.json). */
export interface PinnedGatewaySession {
  readonly name: string;
  readonly session: GatewaySession;
}

/** What a session did, for the fuzz's totals and the replay's sanity checks. */
export interface SessionRun {
  readonly messages: number;
  readonly probes: number;
  readonly acks: number;
  readonly okAcks: number;
  readonly storedBeforeDrain: number;
  readonly drained: number;
  readonly serverCloses: number;
}

const u32Arb = fc.oneof(
  fc.constantFrom(0, 1, 0x1f, 0x20, 0x7fffffff, 0x80000000, 0xffffffff, FUZZ_MAX_PAYLOAD_BYTES + 1),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const fragmentsArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant([] as number[]) },
  { weight: 2, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(fc.nat({ max: 64 }), { minLength: 1, maxLength: 10, size: "max" }) },
);
const indexArb = fc.nat({ max: 63 });

export const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant("extend" as const), bytes: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant("flags" as const), toggle: fc.constantFrom(1 as const, 2 as const, 4 as const) }),
  fc.record({
    kind: fc.constant("beyond" as const),
    past: fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: 0xffffffff })),
    huge: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("field" as const),
    offset: fc.constantFrom(0 as const, 4 as const, 16 as const, 20 as const),
    value: u32Arb,
  }),
);

export const gatewayMessageArb: fc.Arbitrary<GatewayMessage> = fc.oneof(
  {
    weight: 14,
    arbitrary: fc.record({
      kind: fc.constant("valid" as const),
      index: indexArb,
      sequential: fc.boolean(),
      requiresAck: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      retransmit: fc.boolean(),
      fragments: fragmentsArb,
    }),
  },
  {
    weight: 18,
    arbitrary: fc.record({
      kind: fc.constant("damaged" as const),
      index: indexArb,
      damage: damageArb,
      fragments: fragmentsArb,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("random" as const),
      length: fc.oneof(fc.nat({ max: 40 }), fc.nat({ max: 2000 })),
      seed: fc.nat(),
      framed: fc.boolean(),
      fragments: fragmentsArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("oversized" as const), extra: fc.nat({ max: 4096 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("text" as const), text: fc.string({ maxLength: 40 }) }) },
);

/** A session of 1 to 2 × `messages` messages (`messages` on average; shrinking shortens it). */
export const gatewaySessionArb = (messages: number): fc.Arbitrary<GatewaySession> =>
  fc.record({
    numChunks: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 })),
    chunkSize: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 2048 })),
    lastSize: fc.nat({ max: 2047 }),
    dataSeed: fc.nat({ max: 1_000_000 }),
    sockets: fc.integer({ min: 1, max: 3 }),
    actions: fc.array(fc.record({ socket: fc.nat({ max: 2 }), message: gatewayMessageArb }), {
      minLength: 1,
      maxLength: 2 * messages,
      size: "max",
    }),
  });

/** Deterministic pseudo-random bytes (xorshift32). */
function bytesFrom(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed >>> 0) ^ 0x9e3779b9 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const p = await loadPrimitives();

interface Upload {
  readonly chunks: readonly Uint8Array[];
  readonly manifest: DatasetManifest;
}

async function packSession(s: GatewaySession, name: string): Promise<Upload> {
  const last = 1 + (s.lastSize % s.chunkSize);
  const packed = await packForUpload(bytesFrom(s.dataSeed, (s.numChunks - 1) * s.chunkSize + last), {
    chunkSize: s.chunkSize,
    name,
  });
  if (packed.chunks.length !== s.numChunks) throw new Error(`packed ${packed.chunks.length} chunks of ${s.numChunks}`);
  return {
    chunks: packed.chunks.map((c) => (c.storedParts.length === 1 ? c.storedParts[0]! : joinBytes(c.storedParts))),
    manifest: packed.manifest,
  };
}

function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

const u64 = 2n ** 64n - 1n;

function validFrame(s: GatewaySession, u: Upload, index: number, extra: number, over: { sequence?: bigint } = {}) {
  const last = index === s.numChunks - 1;
  return encodeFrame(p, {
    sequence: over.sequence ?? BigInt(index),
    flags: (last ? FrameFlag.LAST_FRAME : 0) | extra,
    payload: u.chunks[index]!,
  });
}

async function damagedFrame(s: GatewaySession, u: Upload, index: number, d: Damage): Promise<Uint8Array> {
  const last = index === s.numChunks - 1;
  const frame = await validFrame(s, u, index, FrameFlag.REQUIRES_ACK);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  switch (d.kind) {
    case "flip":
      frame[d.at % frame.length]! ^= 1 << d.bit;
      return frame;
    case "truncate":
      return frame.slice(0, d.keep % frame.length);
    case "extend":
      return joinBytes([frame, new Uint8Array(d.bytes)]);
    case "flags":
      return encodeFrame(p, {
        sequence: index,
        flags: ((last ? FrameFlag.LAST_FRAME : 0) | FrameFlag.REQUIRES_ACK) ^ d.toggle,
        payload: u.chunks[index]!,
      });
    case "beyond":
      return validFrame(s, u, index, FrameFlag.REQUIRES_ACK, {
        sequence: d.huge ? u64 - BigInt(d.past) : BigInt(s.numChunks + d.past),
      });
    case "field": {
      const before = view.getUint32(d.offset);
      view.setUint32(d.offset, d.value === before ? (d.value + 1) >>> 0 : d.value);
      return frame;
    }
  }
}

/** The bytes of a binary message, or the text of a text one. */
async function messageOf(
  s: GatewaySession,
  u: Upload,
  m: GatewayMessage,
  validIndex: number,
): Promise<Uint8Array | string> {
  switch (m.kind) {
    case "valid":
      return validFrame(
        s,
        u,
        validIndex,
        (m.requiresAck ? FrameFlag.REQUIRES_ACK : 0) | (m.retransmit ? FrameFlag.RETRANSMIT : 0),
      );
    case "damaged":
      return damagedFrame(s, u, m.index % s.numChunks, m.damage);
    case "random": {
      const body = bytesFrom(m.seed, m.length);
      return m.framed ? joinBytes([Uint8Array.of(0x43, 0x59, 0x58, 0x57, 0, 0, 0, 1), body]) : body;
    }
    case "oversized":
      return new Uint8Array(OVERSIZED_MESSAGE_BYTES + m.extra);
    case "text":
      return m.text;
  }
}

/** `bytes` cut at `cuts` (modulo length + 1, sorted); repeats give empty fragments. */
function fragmentsOf(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    out.push(bytes.subarray(from, to));
    from = to;
  }
  return out;
}

/** Frames at most this many messages apart are followed by a probe that waits for its answer: below the window of 8. */
const BATCH = 6;
const WAIT_MS = 20_000;
const codes = new Set(Object.keys(ERROR_CODES));

/** One client socket of a session, with what it saw. */
interface Socket {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Messages sent since the last answered probe. */
  unprobed: number;
  /** What the socket's last message was, when it was one the gateway closes the socket for. */
  ending: "text" | "oversized" | undefined;
  closing: boolean;
  /** Called with each probe's magic as its answer arrives. */
  onProbe: (magic: number) => void;
}

/**
 * Runs one session against `gw` and checks, as it goes and at the end:
 * - every message the gateway sends is a well-formed FrameStreamMessage: an ack for this transfer
 *   whose error message starts with a catalogued code carrying its AckStatus, or a status;
 * - ACK_OK only for a chunk some valid REQUIRES_ACK frame carried, at most once per chunk across
 *   all sockets, so a damaged frame is never acked OK; ACK_DUPLICATE only for a chunk some valid
 *   frame carried;
 * - the gateway closes a socket only after a text message (1003, CYXW_ERR_FRAME) or an oversized
 *   one (1009), never otherwise, and /healthz answers ok afterwards;
 * - the chunks it holds are only chunks valid frames carried, every acked chunk among them;
 * - sending each missing chunk once more gets ACK_OK or ACK_DUPLICATE for each, leaves nothing
 *   missing, and CommitUpload with the true manifest succeeds (every stored digest is the valid
 *   chunk's) and a full VerifyIntegrity passes (every stored blob is).
 *
 * @throws Error naming the first property that does not hold.
 */
export async function runGatewaySession(
  gw: RunningGateway,
  clients: Clients,
  session: GatewaySession,
  name: string,
): Promise<SessionRun> {
  const s = session;
  const T = s.numChunks;
  const u = await packSession(s, name);
  const meta = u.manifest.metadata!;
  const { transferId } = await clients.transfer.initiateTransfer(
    create(TransferRequestSchema, {
      metadata: {
        name: meta.name,
        totalSize: meta.totalSize,
        numChunks: meta.numChunks,
        chunkSize: meta.chunkSize,
        classification: DataClassification.PUBLIC,
      },
      options: { compression: "none", chunkSize: meta.chunkSize },
      security: { encryptPayload: false },
    }),
  );

  const violations: string[] = [];
  const fail = (message: string) => void violations.push(message);
  const sentValid = new Set<number>();
  const sentAckable = new Set<number>();
  const okAcked = new Set<number>();
  const drainAnswers = new Map<number, string>();
  const drainSent = new Set<number>();
  const drainResends = new Map<number, number>();
  let drainResend: ((index: number) => void) | undefined;
  let draining = false;
  let acks = 0;
  let okAcks = 0;
  let probes = 0;
  let serverCloses = 0;
  let probeCounter = 0;
  let nextSequential = 0;

  const onMessage = (label: string, data: Buffer, isBinary: boolean, socket: Socket) => {
    if (!isBinary) return fail(`${label}: a text message from the gateway`);
    let message: ReturnType<typeof fromBinary<typeof FrameStreamMessageSchema>>;
    try {
      message = fromBinary(FrameStreamMessageSchema, new Uint8Array(data));
    } catch (e) {
      return fail(`${label}: not a FrameStreamMessage (${String(e)})`);
    }
    if (message.kind.case === "status") {
      const st = message.kind.value;
      if (st.transferId !== transferId || st.chunksTotal !== T || st.chunksReceived > T)
        fail(`${label}: status ${st.transferId} ${st.chunksReceived}/${st.chunksTotal}`);
      return;
    }
    if (message.kind.case !== "ack") return fail(`${label}: a message of kind ${String(message.kind.case)}`);
    const a = message.kind.value;
    acks++;
    if (a.transferId !== transferId) fail(`${label}: an ack for transfer ${a.transferId}`);
    if (a.status === AckStatus.ACK_OK) {
      okAcks++;
      if (!sentAckable.has(a.chunkIndex))
        fail(`${label}: ACK_OK for chunk ${a.chunkIndex}, which no valid REQUIRES_ACK frame carried`);
      if (okAcked.has(a.chunkIndex)) fail(`${label}: chunk ${a.chunkIndex} acked OK twice`);
      okAcked.add(a.chunkIndex);
    } else {
      const code = /^(CYXW_ERR_[A-Z_]+): ./.exec(a.errorMessage)?.[1];
      if (code === undefined || !codes.has(code))
        fail(`${label}: ${AckStatus[a.status] ?? a.status} with message ${JSON.stringify(a.errorMessage)}`);
      else if ((ackStatusOf(code as ErrorCode) ?? AckStatus.ACK_CHECKSUM_MISMATCH) !== a.status)
        fail(`${label}: ${code} acked as ${AckStatus[a.status] ?? a.status}`);
      if (a.status === AckStatus.ACK_DUPLICATE && !sentValid.has(a.chunkIndex))
        fail(`${label}: ACK_DUPLICATE for chunk ${a.chunkIndex}, which no valid frame carried`);
      const magic = /frame magic is 0x([0-9a-f]{8})/.exec(a.errorMessage)?.[1];
      if (magic !== undefined) socket.onProbe(Number.parseInt(magic, 16));
    }
    if (draining && drainResend !== undefined) {
      const i = a.chunkIndex;
      if (a.status === AckStatus.ACK_OK || a.status === AckStatus.ACK_DUPLICATE)
        drainAnswers.set(i, AckStatus[a.status]!);
      else if (
        (a.status === AckStatus.ACK_CHECKSUM_MISMATCH || a.status === AckStatus.ACK_OUT_OF_ORDER) &&
        drainSent.has(i) &&
        !drainAnswers.has(i)
      ) {
        // A copy from the script that waited in the reorder buffer was refused when its turn came,
        // or the drain's own copy came too early: send it again, as a client does.
        const resends = (drainResends.get(i) ?? 0) + 1;
        drainResends.set(i, resends);
        if (resends > 3) fail(`drain: chunk ${i} refused ${resends} times (${a.errorMessage})`);
        else drainResend(i);
      }
    }
  };

  const open = (label: string): Socket => {
    const ws = new WebSocket(
      `${gw.url.replace(/^http/, "ws")}${framesPath(transferId)}`,
      framesSubprotocols(gw.adminToken),
    );
    const socket: Socket = {
      ws,
      opened: new Promise((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      }),
      closed: new Promise((resolve) =>
        ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
      ),
      unprobed: 0,
      ending: undefined,
      closing: false,
      onProbe: () => undefined,
    };
    ws.on("error", () => undefined); // reported through "close"
    ws.on("message", (data: Buffer, isBinary) => onMessage(label, data, isBinary, socket));
    void socket.closed.then(({ code, reason }) => {
      if (socket.closing) return; // we closed it
      serverCloses++;
      const ok =
        (socket.ending === "text" &&
          code === FRAMES_CLOSE_REASONS.CYXW_ERR_FRAME &&
          framesCloseReasonOf(reason) === "CYXW_ERR_FRAME") ||
        (socket.ending === "oversized" && code === CLOSE_CODES.MESSAGE_TOO_BIG);
      if (!ok)
        fail(
          `${label}: the gateway closed the socket (${code} ${JSON.stringify(reason)}) after ${socket.ending ?? "frames"}`,
        );
    });
    return socket;
  };

  const within = <R>(what: string, promise: Promise<R>): Promise<R> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${WAIT_MS} ms`)), WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
  };

  /** Sends a probe (a frame with a unique wrong magic) and waits for its ACK_FCS_ERROR. */
  const probe = async (socket: Socket, label: string) => {
    const magic = 0xfeed0000 + (probeCounter++ % 0x10000);
    const answered = new Promise<void>((resolve, reject) => {
      socket.onProbe = (m) => {
        if (m === magic) resolve();
      };
      void socket.closed.then(({ code }) => reject(new Error(`${label}: closed (${code}) before a probe's answer`)));
    });
    const frame = new Uint8Array(24);
    new DataView(frame.buffer).setUint32(0, magic);
    socket.ws.send(frame);
    probes++;
    await within(`${label}: probe`, answered);
    socket.unprobed = 0;
  };

  const send = (socket: Socket, bytes: Uint8Array | string, fragments: readonly number[]) => {
    if (typeof bytes === "string") {
      socket.ws.send(bytes);
      return;
    }
    const pieces = fragmentsOf(bytes, fragments);
    for (const [k, piece] of pieces.entries()) socket.ws.send(piece, { binary: true, fin: k === pieces.length - 1 });
  };

  const sockets: (Socket | undefined)[] = [];
  let opened = 0;
  const socketFor = async (k: number): Promise<Socket> => {
    let socket = sockets[k];
    if (socket === undefined) {
      socket = open(`socket ${k}.${opened++}`);
      sockets[k] = socket;
      await within("opening a socket", socket.opened);
    }
    return socket;
  };

  try {
    for (const [step, action] of s.actions.entries()) {
      const k = action.socket % s.sockets;
      const socket = await socketFor(k);
      const m = action.message;
      const validIndex = m.kind !== "valid" ? 0 : m.sequential ? nextSequential++ % T : m.index % T;
      const bytes = await messageOf(s, u, m, validIndex);
      if (m.kind === "valid") {
        sentValid.add(validIndex);
        if (m.requiresAck) sentAckable.add(validIndex);
      }
      send(socket, bytes, "fragments" in m ? m.fragments : []);
      if (m.kind === "text" || m.kind === "oversized") {
        socket.ending = m.kind;
        await within(`step ${step}: the close after a ${m.kind} message`, socket.closed);
        sockets[k] = undefined;
      } else if (++socket.unprobed >= BATCH) {
        await probe(socket, `step ${step}`);
      }
    }
    for (const socket of sockets) {
      if (socket === undefined) continue;
      await probe(socket, "the end");
      socket.closing = true;
      socket.ws.close();
      await within("closing", socket.closed);
    }
    if (violations.length > 0) throw new Error(violations.join("\n"));

    const status = await clients.transfer.getTransferStatus({ transferId });
    const missing = new Set(status.missingChunks);
    const stored = [...Array(T).keys()].filter((i) => !missing.has(i));
    for (const i of stored) if (!sentValid.has(i)) fail(`chunk ${i} is stored, but no valid frame carried it`);
    for (const i of okAcked) if (missing.has(i)) fail(`chunk ${i} was acked OK but is missing`);

    draining = true;
    const drain = open("drain");
    await within("opening the drain socket", drain.opened);
    const frames = new Map<number, Uint8Array>();
    for (const i of status.missingChunks) {
      frames.set(i, await validFrame(s, u, i, FrameFlag.REQUIRES_ACK | FrameFlag.RETRANSMIT));
      sentValid.add(i);
      sentAckable.add(i);
    }
    drainResend = (i) => send(drain, frames.get(i)!, []);
    for (const i of status.missingChunks) {
      drainSent.add(i);
      send(drain, frames.get(i)!, []);
      if (++drain.unprobed >= BATCH) await probe(drain, "drain");
    }
    await probe(drain, "drain");
    const deadline = Date.now() + WAIT_MS;
    while (drainAnswers.size < status.missingChunks.length && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    drain.closing = true;
    drain.ws.close();
    await within("closing the drain socket", drain.closed);
    for (const i of status.missingChunks)
      if (!drainAnswers.has(i)) fail(`drain: chunk ${i} got neither ACK_OK nor ACK_DUPLICATE`);
    const after = await clients.transfer.getTransferStatus({ transferId });
    if (after.missingChunks.length > 0) fail(`after the drain chunks ${after.missingChunks} are still missing`);
    if (violations.length > 0) throw new Error(violations.join("\n"));

    await clients.datasets.commitUpload({ transferId, manifest: u.manifest });
    const integrity = await clients.transfer.verifyIntegrity({ transferId, fullVerification: true });
    if (!integrity.valid) fail(`VerifyIntegrity: corrupt chunks ${integrity.corruptChunks}`);
    const health = await fetch(`${gw.url}/healthz`);
    if (health.status !== 200 || ((await health.json()) as { status?: string }).status !== "ok")
      fail(`/healthz answered ${health.status}`);
    if (violations.length > 0) throw new Error(violations.join("\n"));
    return {
      messages: s.actions.length,
      probes,
      acks,
      okAcks,
      storedBeforeDrain: stored.length,
      drained: status.missingChunks.length,
      serverCloses,
    };
  } finally {
    for (const socket of sockets) {
      if (socket !== undefined && socket.ws.readyState !== WebSocket.CLOSED) {
        socket.closing = true;
        socket.ws.terminate();
      }
    }
  }
}
