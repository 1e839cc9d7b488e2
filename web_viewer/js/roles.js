// What the signed-in user may do on the quality pages, from their roles (the server decides;
// these only choose which controls to offer).

function hasAny(user, roles) {
  return (user?.roles ?? []).some((role) => roles.includes(role));
}

/** Review exceptions, release or reject batches, close or cancel deviations. */
export function isQa(user) {
  return hasAny(user, ["qa"]);
}

/** Approve a held batch's continuation. */
export function approvesHolds(user) {
  return hasAny(user, ["supervisor", "qa"]);
}

/** Add facts to a deviation (description, impact, root cause, CAPA). */
export function investigates(user) {
  return hasAny(user, ["operator", "supervisor", "qa"]);
}

/** Propose a change of one running batch's procedure (a redline). */
export function proposesRedlines(user) {
  return hasAny(user, ["supervisor"]);
}

/** Approve or reject a redline with an e-signature. */
export function decidesRedlines(user) {
  return hasAny(user, ["qa"]);
}

/** Read a batch's audit trail and verify its chain. */
export function readsAuditTrail(user) {
  return hasAny(user, ["qa", "supervisor", "admin"]);
}


/** See the production orders from the ERP. */
export function seesOrders(user) {
  return hasAny(user, ["supervisor", "admin"]);
}

/** Start a batch from a planned production order. */
export function startsOrders(user) {
  return hasAny(user, ["supervisor"]);
}

/** Receive a lot of material into quarantine (`POST /lots`). */
export function receivesLots(user) {
  return hasAny(user, ["operator", "supervisor", "qa"]);
}
