// Where a recorded value came from, in words: read from a scan or a balance, or typed by hand
// where a device was expected (flagged, so a reviewer sees it before anything else).

import { chip } from "./status.js";

const SOURCES = {
  scan: ["info", "scan", "Scanned"],
  balance: ["ok", "scale", "From balance"],
  manual: ["warn", "alert", "Typed (manual)"],
};

/** A chip naming a value's source, or null for values entered the ordinary way. */
export function sourceChip(source) {
  const known = SOURCES[source];
  if (!known) return null;
  const [tone, iconName, text] = known;
  return chip(tone, iconName, text, { "data-source": source });
}
