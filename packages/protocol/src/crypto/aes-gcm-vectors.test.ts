import { describeAesGcmVectors } from "../../test-support/aes-gcm-vectors.js";
import { createWebPrimitives } from "../primitives/web-primitives.js";

// The chunk stream and the key wrap run on these (seed §4.4): crypto.subtle, and the pure-JS
// @noble/ciphers fallback used where crypto.subtle is missing. In Node and in Chromium alike.
describeAesGcmVectors("web (crypto.subtle)", () => createWebPrimitives());
describeAesGcmVectors("web fallback (@noble/ciphers)", () => createWebPrimitives({ forceFallback: true }));
