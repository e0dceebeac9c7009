"use client";

import { DatasetsPage } from "../../src/datasets/datasets-page.js";
import { RequireSession } from "../../src/session/require-session.js";

/** `/datasets`: the signed-in owner's datasets (the sign-in form until signed in). */
export default function Datasets() {
  return <RequireSession>{(s) => <DatasetsPage clients={s.clients} />}</RequireSession>;
}
