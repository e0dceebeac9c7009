import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A loopback TCP proxy between the browser and the gateway, so a test can cut every connection
 * (a dropped WebSocket) or flip one bit of what the client sends (a damaged frame on the wire).
 */
export interface TcpProxy {
  readonly port: number;
  /** Destroys every open connection, as a network failure would. */
  dropAll(): void;
  /**
   * Flips one bit of the client's bytes `afterBytes` into the next connection that carries that
   * much (WebSocket payloads are masked by XOR, so the bit flips in the frame the gateway sees).
   */
  flipBitOnce(afterBytes: number): void;
  /** Resolves once a bit was flipped. */
  readonly flipped: Promise<void>;
  /** Limits what clients send to about this many bytes per second (0: no limit). */
  throttle(bytesPerSecond: number): void;
  close(): Promise<void>;
}

export function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let flipAt: number | undefined;
  let rate = 0;
  let markFlipped: () => void = () => {};
  const flipped = new Promise<void>((r) => (markFlipped = r));
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    let seen = 0;
    client.on("data", (d: Buffer) => {
      if (flipAt !== undefined && seen <= flipAt && flipAt < seen + d.length) {
        d[flipAt - seen]! ^= 0x01;
        flipAt = undefined;
        markFlipped();
      }
      seen += d.length;
      const full = !upstream.write(d);
      if (rate > 0) {
        client.pause();
        setTimeout(
          () => (full ? upstream.once("drain", () => client.resume()) : client.resume()),
          (d.length / rate) * 1000,
        );
      } else if (full) client.pause();
    });
    upstream.on("drain", () => {
      if (rate === 0) client.resume();
    });
    upstream.on("data", (d: Buffer) => {
      if (!client.write(d)) upstream.pause();
    });
    client.on("drain", () => upstream.resume());
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.address() as { port: number }).port,
        dropAll() {
          for (const s of sockets) s.destroy();
        },
        flipBitOnce(afterBytes) {
          flipAt = afterBytes;
        },
        flipped,
        throttle(bytesPerSecond) {
          rate = bytesPerSecond;
        },
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
