export type { Result } from "../result.js";
export { assertNever, err, ok } from "../result.js";
export type { ErrorCode, ProtocolFailure } from "./error-codes.js";
export { ackStatusOf, ERROR_CODES, failure, isProtocolError, ProtocolError } from "./error-codes.js";
