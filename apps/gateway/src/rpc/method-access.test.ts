import { Code } from "@connectrpc/connect";
import { AuthService, DatasetService, JobService, NodeService } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { accessRefusal, methodAccess, WORKERS_ONLY } from "./method-access.js";
import { methodKey } from "./method-key.js";

const node = { kind: "node", node: { nodeId: `node_${"0".repeat(32)}`, session: 1 } } as const;
const person = { kind: "user", principal: { username: "alice", admin: false } } as const;

describe("who may call what", () => {
  it("opens sign-in and a worker's challenge and registration to anyone", () => {
    for (const m of [AuthService.method.login, NodeService.method.getChallenge, NodeService.method.register])
      expect(methodAccess(methodKey(m)), m.name).toBe("public");
  });

  it("keeps NodeService for workers but ListNodes, and everything else for people", () => {
    for (const m of NodeService.methods)
      if (!["GetChallenge", "Register", "ListNodes"].includes(m.name))
        expect(methodAccess(methodKey(m)), m.name).toBe("node");
    expect(methodAccess(methodKey(NodeService.method.listNodes))).toBe("person");
    for (const m of [...JobService.methods, ...DatasetService.methods])
      expect(methodAccess(methodKey(m))).toBe("person");
  });

  it("refuses a node token on a person's method and a person's token on a worker's, saying what to use", () => {
    const onPerson = accessRefusal("person", node);
    expect(onPerson?.code).toBe(Code.Unauthenticated);
    expect(onPerson?.rawMessage).toMatch(/node token only works for NodeService/);
    const onNode = accessRefusal("node", person);
    expect(onNode?.code).toBe(Code.Unauthenticated);
    expect(onNode?.rawMessage).toBe(WORKERS_ONLY);
    expect(accessRefusal("node", { kind: "anonymous", refusal: "node_superseded" })?.rawMessage).toMatch(
      /older registration/,
    );
    expect(accessRefusal("node", { kind: "anonymous", refusal: "unavailable" })?.code).toBe(Code.Unavailable);
    expect(accessRefusal("person", undefined)?.rawMessage).toMatch(/sign in first/);
    expect(accessRefusal("node", node)).toBeUndefined();
    expect(accessRefusal("person", person)).toBeUndefined();
    expect(accessRefusal("public", undefined)).toBeUndefined();
  });
});
