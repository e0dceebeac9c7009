import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { ApiTokenSchema, type AuthService } from "@cyxwiz/protocol/gen";
import { createApiToken, MAX_API_TOKEN_DAYS } from "../auth/api-tokens.js";
import { issueToken } from "../auth/session-tokens.js";
import type { GatewayDeps } from "../gateway-deps.js";
import { type ApiTokenRecord, checkTokenId, hashPassword, verifyPassword } from "../store/index.js";
import { callerOf } from "./data-transfer-service.js";
import { clientAddressKey } from "./request-context.js";
import { invalidArgument, notFound, permissionDenied, toConnectError } from "./rpc-errors.js";

/**
 * Accounts: sign in with a password for a session token; admins create accounts; everyone
 * creates, lists and revokes their own API tokens (admins anyone's).
 */
export function createAuthService(deps: GatewayDeps): ServiceImpl<typeof AuthService> {
  const cost = { logN: deps.config.passwordCost };
  return {
    async login(req, ctx) {
      const refused = new ConnectError("unknown username or wrong password", Code.Unauthenticated);
      let user: Awaited<ReturnType<typeof deps.store.users.findByUsername>>;
      try {
        user = await deps.store.users.findByUsername(req.username);
      } catch {
        throw refused; // a malformed username is just a wrong one to the caller
      }
      // Hash even for an unknown user so timing does not reveal which usernames exist.
      let ok = false;
      if (user === undefined) await hashPassword(req.password, cost);
      else ok = await verifyPassword(req.password, user.passwordHash);
      if (!ok || user === undefined) {
        deps.log.warn({ username: req.username, ip: ctx.values.get(clientAddressKey) }, "sign-in refused");
        throw refused;
      }
      const { token, expiresAt } = await issueToken(
        deps.secrets.jwtKey,
        { username: user.username, admin: user.admin },
        deps.config.sessionHours,
      );
      await deps.store.audit.append({
        actor: `user:${user.username}`,
        action: "user.login",
        subject: `user:${user.username}`,
        detail: { ip: ctx.values.get(clientAddressKey) },
      });
      return { token, expiresAt: timestampFromDate(expiresAt), username: user.username };
    },

    async whoAmI(_req, ctx) {
      const caller = callerOf(ctx);
      return { username: caller.username, admin: caller.admin };
    },

    async createUser(req, ctx) {
      const caller = callerOf(ctx);
      if (!caller.admin) throw permissionDenied("only an admin can create accounts");
      if (req.password.length < 8) throw invalidArgument("a password needs at least 8 characters");
      try {
        const user = await deps.store.users.create({
          username: req.username,
          passwordHash: await hashPassword(req.password, cost),
          admin: req.admin,
        });
        await deps.store.audit.append({
          actor: `user:${caller.username}`,
          action: "user.create",
          subject: `user:${user.username}`,
          detail: { admin: user.admin },
        });
        return { username: user.username };
      } catch (e) {
        throw toConnectError(e);
      }
    },

    async createApiToken(req, ctx) {
      const caller = callerOf(ctx);
      const days = req.ttlDays === 0 ? deps.config.apiTokenDays : req.ttlDays;
      if (days < 1 || days > MAX_API_TOKEN_DAYS)
        throw invalidArgument(`ttl_days must be 1-${MAX_API_TOKEN_DAYS} (0: the default), got ${req.ttlDays}`);
      try {
        const { token, record } = await createApiToken(deps.store, deps.secrets.jwtKey, caller, {
          label: req.label === "" ? "api token" : req.label,
          days,
          actor: `user:${caller.username}`,
        });
        return { token, id: record.id, expiresAt: timestampFromDate(record.expiresAt) };
      } catch (e) {
        throw toConnectError(e);
      }
    },

    async revokeApiToken(req, ctx) {
      const caller = callerOf(ctx);
      // Someone else's token is answered like a missing one (as for transfers, docs/errors.md).
      const missing = notFound(`no token ${req.id}`);
      let found: ApiTokenRecord | undefined;
      try {
        found = await deps.store.apiTokens.find(checkTokenId(req.id, "id"));
      } catch (e) {
        throw toConnectError(e);
      }
      if (found === undefined || (found.owner !== caller.username && !caller.admin)) throw missing;
      const revoked = await deps.store.apiTokens.revoke(found.id);
      deps.tokens.revoked(found.id);
      await deps.store.audit.append({
        actor: `user:${caller.username}`,
        action: "token.revoke",
        subject: `token:${found.id}`,
        detail: { owner: found.owner, label: found.label, alreadyRevoked: found.revokedAt !== undefined },
      });
      return { token: apiTokenToProto(revoked) };
    },

    async listApiTokens(req, ctx) {
      const caller = callerOf(ctx);
      if (req.allUsers && !caller.admin) throw permissionDenied("only an admin can list everyone's tokens");
      const list = await deps.store.apiTokens.list(req.allUsers ? undefined : caller.username);
      return { tokens: list.map(apiTokenToProto) };
    },
  };
}

function apiTokenToProto(t: ApiTokenRecord) {
  return create(ApiTokenSchema, {
    id: t.id,
    owner: t.owner,
    label: t.label,
    createdAt: timestampFromDate(t.createdAt),
    expiresAt: timestampFromDate(t.expiresAt),
    ...(t.revokedAt === undefined ? {} : { revokedAt: timestampFromDate(t.revokedAt) }),
  });
}
