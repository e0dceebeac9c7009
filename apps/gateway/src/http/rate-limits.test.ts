import type { FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import { rateLimitKey } from "./rate-limits.js";
import type { RequestCaller } from "./request-caller.js";

const request = (caller: RequestCaller) => ({ caller, ip: "10.0.0.7", raw: {} }) as unknown as FastifyRequest;

describe("rate-limit keys", () => {
  it("count a worker against its own budget, apart from people and from its address", () => {
    const nodeId = `node_${"c".repeat(32)}`;
    expect(rateLimitKey(request({ kind: "node", node: { nodeId, session: 2 } }))).toBe(`node:${nodeId}`);
    expect(rateLimitKey(request({ kind: "user", principal: { username: "alice", admin: false } }))).toBe("user:alice");
    expect(rateLimitKey(request({ kind: "anonymous", refusal: "node_superseded" }))).toBe("ip:10.0.0.7");
  });
});
