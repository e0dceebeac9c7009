import type { DescMethod } from "@bufbuild/protobuf";

/** An RPC's name in tables and logs, as in its URL path: "cyxwiz.data.v1.AuthService/Login". */
export const methodKey = (m: DescMethod): string => `${m.parent.typeName}/${m.name}`;
