/**
 * The part of a pino logger (fastify's `app.log`) the storage layer writes to: structured fields
 * first, then the message.
 */
export interface StoreLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** A logger that drops everything, for callers that pass none. */
export const silentLogger: StoreLogger = { info() {}, warn() {} };
