// Reading a code with the camera: in the browser where the platform offers BarcodeDetector,
// otherwise by sending the frame to the server (POST /scans, multipart field `image`). Either
// way the server says what the code identifies, so the operator sees it before completing.

import { api } from "../api.js";

const FORMATS = ["qr_code", "data_matrix", "code_128"];
const ATTEMPTS = 4;
const PAUSE_MS = 400;

/** What a scan input expects to find: the resolution kinds that fit it, best first. */
function wantedKinds(spec) {
  const expects = spec?.expects ?? {};
  if (expects.kind === "equipment") return ["equipment"];
  if (expects.kind === "material") return ["container", "lot", "material"];
  return [];
}

/** The code of a scan answer that fits `spec` best (the first one if none fits). */
export function bestCode(answer, spec) {
  const codes = answer?.codes ?? [];
  const kinds = wantedKinds(spec);
  return codes.find((code) => kinds.includes(code.resolves_to?.kind)) ?? codes[0] ?? null;
}

/** What a code text identifies: the server's scan answer ({codes, message}). */
export function resolveText(text) {
  return api.post("/scans", { text });
}

/** Scans with one camera; finds out once whether the browser can decode by itself. */
export class Scanner {
  constructor(camera) {
    this.camera = camera;
    this.detector = undefined;
  }

  async browserDetector() {
    if (this.detector !== undefined) return this.detector;
    this.detector = null;
    if ("BarcodeDetector" in window) {
      try {
        const supported = await window.BarcodeDetector.getSupportedFormats();
        const formats = FORMATS.filter((format) => supported.includes(format));
        if (formats.length) this.detector = new window.BarcodeDetector({ formats });
      } catch {
        this.detector = null;
      }
    }
    return this.detector;
  }

  async readOnce(spec) {
    const local = await this.browserDetector();
    if (local) {
      const found = await local.detect(this.camera.video);
      if (!found.length) return null;
      return bestCode(await resolveText(found[0].rawValue), spec);
    }
    const form = new FormData();
    form.append("image", await this.camera.frame(), "frame.jpg");
    return bestCode(await api.sendForJson("POST", "/scans", { body: form }), spec);
  }

  /**
   * Scan with the running camera: a few frames until one holds a code. Answers the chosen
   * code ({format, text, resolves_to, message}) or null when no frame held one.
   */
  async scan(spec) {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      const code = await this.readOnce(spec);
      if (code) return code;
      if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    return null;
  }
}
