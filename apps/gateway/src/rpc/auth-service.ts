import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { AuthService } from "@cyxwiz/protocol/gen";
import { issueToken } from "../auth/session-tokens.js";
import type { GatewayDeps } from "../gateway-deps.js";
import { hashPassword, verifyPassword } from "../store/index.js";
import { callerOf } from "./data-transfer-service.js";
import { clientAddressKey } from "./request-context.js";
import { invalidArgument, permissionDenied, toConnectError } from "./rpc-errors.js";

/** Accounts: sign in with a password for a session token; admins create accounts. */
export function createAuthService(deps: GatewayDeps): ServiceImpl<typeof AuthService> {
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
      if (user === undefined) await hashPassword(req.password);
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
          passwordHash: await hashPassword(req.password),
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
  };
}
