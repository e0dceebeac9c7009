import { describeAesGcmVectors } from "../../test-support/aes-gcm-vectors.js";
import { createNodePrimitives } from "../primitives/node-primitives.js";

describeAesGcmVectors("node (node:crypto)", () => createNodePrimitives());
