// Line icons (24x24, stroked). Always decorative: the text next to them carries the meaning.

import { svg } from "../dom.js";

const PATHS = {
  check: ["M20 6 9 17l-5-5"],
  circle: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z"],
  play: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M10 8.5v7l5.5-3.5z"],
  skip: ["M5 5l9 7-9 7z", "M18 5v14"],
  alert: ["M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z", "M12 9v4", "M12 17h.01"],
  ban: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M15 9l-6 6", "M9 9l6 6"],
  pencil: ["M12 20h9", "M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z"],
  shield: ["M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z", "M9 12l2 2 4-4"],
  clock: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M12 7v5l3 2"],
  user: ["M20 21a8 8 0 0 0-16 0", "M12 3a4 4 0 1 0 0 8a4 4 0 1 0 0-8z"],
  live: ["M5 12.5a10 10 0 0 1 14 0", "M8.5 16a5 5 0 0 1 7 0", "M12 19.5h.01", "M2 9a15 15 0 0 1 20 0"],
  reconnect: ["M21 12a9 9 0 1 1-3-6.7L21 8", "M21 3v5h-5"],
  offline: ["M2 2l20 20", "M8.5 16a5 5 0 0 1 7 0", "M12 19.5h.01", "M5 12.5a10 10 0 0 1 5.2-2.8", "M19 12.5a10 10 0 0 0-2.3-1.7", "M2 9a15 15 0 0 1 4.2-2.8", "M22 9a15 15 0 0 0-11.2-3.9"],
  signout: ["M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4", "M16 17l5-5-5-5", "M21 12H9"],
  plus: ["M12 5v14", "M5 12h14"],
  back: ["M19 12H5", "M12 19l-7-7 7-7"],
  file: ["M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9z", "M14 3v6h6", "M8 13h8", "M8 17h5"],
  branch: ["M6 3v12", "M18 3a3 3 0 1 0 0 6a3 3 0 1 0 0-6z", "M6 15a3 3 0 1 0 0 6a3 3 0 1 0 0-6z", "M18 9a9 9 0 0 1-9 9"],
  eye: ["M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z", "M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6z"],
  calc: ["M6 2h12a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z", "M8 6h8", "M8 11h.01", "M12 11h.01", "M16 11h.01", "M8 15h.01", "M12 15h.01", "M16 15h.01", "M8 19h.01", "M12 19h.01", "M16 19h.01"],
  archive: ["M3 4h18v4H3z", "M5 8v12h14V8", "M10 12h4"],
  batches: ["M4 6h16", "M4 12h16", "M4 18h10"],
  list: ["M9 6h11", "M9 12h11", "M9 18h11", "M4 6h.01", "M4 12h.01", "M4 18h.01"],
  info: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M12 16v-4", "M12 8h.01"],
  scan: ["M3 7V5a2 2 0 0 1 2-2h2", "M17 3h2a2 2 0 0 1 2 2v2", "M21 17v2a2 2 0 0 1-2 2h-2", "M7 21H5a2 2 0 0 1-2-2v-2", "M7 12h10"],
  lock: ["M5 11h14v10H5z", "M8 11V7a4 4 0 0 1 8 0v4"],
  layers: ["M12 3l9 5-9 5-9-5z", "M3 13l9 5 9-5", "M3 17l9 5 9-5"],
  box: ["M21 8l-9-5-9 5v8l9 5 9-5z", "M3 8l9 5 9-5", "M12 13v8"],
  truck: ["M2 6h12v10H2z", "M14 10h4l3 3v3h-7", "M6 16a2 2 0 1 0 0 4a2 2 0 1 0 0-4z", "M17 16a2 2 0 1 0 0 4a2 2 0 1 0 0-4z"],
  scale: ["M12 4v16", "M7 20h10", "M5 7h14", "M5 7l-3 6a3 3 0 0 0 6 0z", "M19 7l-3 6a3 3 0 0 0 6 0z"],
  tag: ["M20.6 13.4 13.4 20.6a2 2 0 0 1-2.8 0L3 13V3h10l7.6 7.6a2 2 0 0 1 0 2.8z", "M7.5 7.5h.01"],
  trace: ["M4 3h6v5H4z", "M14 10h6v5h-6z", "M14 18h6v4h-6z", "M7 8v12h7", "M7 12.5h7"],
  search: ["M11 4a7 7 0 1 0 0 14a7 7 0 1 0 0-14z", "M20 20l-4-4"],
  pause: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M10 9v6", "M14 9v6"],
  download: ["M12 4v11", "M7 10l5 5 5-5", "M5 20h14"],
  chart: ["M4 4v16h16", "M7 15l4-5 3 3 5-7"],
  external: ["M14 4h6v6", "M20 4l-9 9", "M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5"],
};

/** An icon by name; hidden from assistive technology. */
export function icon(name, extraClass) {
  return svg(
    "svg",
    {
      class: ["icon", extraClass],
      viewBox: "0 0 24 24",
      "aria-hidden": "true",
      focusable: "false",
    },
    (PATHS[name] ?? PATHS.circle).map((d) => svg("path", { d })),
  );
}
