import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/** The gateway's Prometheus metrics (served as text at /metrics). */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly framesAcked: Counter<"status">;
  readonly chunksStored: Counter;
  readonly bytesStored: Counter;
  readonly framesSockets: Gauge;
  readonly rpcErrors: Counter<"code">;
}

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "cyxwiz_gateway_" });
  return {
    registry,
    framesAcked: new Counter({
      name: "cyxwiz_frames_acked_total",
      help: "Frames answered, by AckStatus number (0 = ACK_OK)",
      labelNames: ["status"],
      registers: [registry],
    }),
    chunksStored: new Counter({
      name: "cyxwiz_chunks_stored_total",
      help: "Chunks verified and stored durably",
      registers: [registry],
    }),
    bytesStored: new Counter({
      name: "cyxwiz_chunk_bytes_stored_total",
      help: "Bytes of chunks (as stored) verified and stored durably",
      registers: [registry],
    }),
    framesSockets: new Gauge({ name: "cyxwiz_frames_sockets", help: "Open frames WebSockets", registers: [registry] }),
    rpcErrors: new Counter({
      name: "cyxwiz_rpc_errors_total",
      help: "RPCs that ended in an error, by Connect code",
      labelNames: ["code"],
      registers: [registry],
    }),
  };
}
