// The operator's camera on the run page: the preview with the experts' annotations drawn over
// it, sharing it live (WHIP, the batch's main stream), and the camera for scans and photos.

import { api } from "../api.js";
import { acknowledgeAnnotation } from "../offline/submit.js";
import { h, replace } from "../dom.js";
import { AnnotationLayer } from "./annotations_overlay.js";
import { Camera } from "./camera.js";
import { icon } from "./icons.js";
import { Scanner } from "./scan_capture.js";
import { chip } from "./status.js";
import { publish } from "../webrtc.js";

// The connection's states, as the live chip says them.
const LIVE_STATES = { connected: "live", disconnected: "interrupted", failed: "failed" };
const LIVE_CHIPS = {
  stopped: ["neutral", "circle", "Not shared"],
  connecting: ["active", "reconnect", "Connecting live video…"],
  live: ["ok", "live", "Live: experts can watch"],
  interrupted: ["warn", "reconnect", "Live video interrupted, reconnecting…"],
  failed: ["danger", "ban", "Live video failed"],
};

export class CameraPanel {
  /** `batchId`: the batch whose main stream the camera is shared on; `user`: the operator. */
  constructor(batchId, user) {
    this.batchId = batchId;
    this.camera = new Camera();
    this.scanner = new Scanner(this.camera);
    this.liveState = "stopped";
    // The sharing under way ({session, stopping}; the session once the server accepted it), or null.
    this.sharing = null;
    this.layer = new AnnotationLayer({
      onAcknowledge: (annotation) => acknowledgeAnnotation(annotation, { batchId, user }),
    });
    this.frame = h("div", { class: "camera__frame" }, this.camera.video, this.layer.overlay,
      h("p", { class: "camera__off" }, icon("eye"), "Camera is off"));
    this.status = h("p", { class: "camera__status", role: "status", id: "camera-status" });
    this.message = h("div", { class: "form-message form-message--danger", role: "alert", hidden: true });
    this.toggle = h("button", { type: "button", class: "button op-button", id: "camera-toggle", onClick: () => this.toggleCamera() });
    this.share = h("button", { type: "button", class: "button op-button", id: "share-live", "aria-pressed": "false", onClick: () => this.toggleSharing() });
    this.element = h(
      "section",
      { class: "panel camera-panel", "aria-labelledby": "camera-title" },
      h("h2", { id: "camera-title" }, "Camera"),
      this.frame,
      this.status,
      h("div", { class: "op-actions" }, this.toggle, this.share),
      this.message,
      this.layer.element,
    );
    this.camera.onChange((running) => {
      if (running) this.layer.setFrameSize(this.camera.frameSize);
      const { width, height } = this.camera.frameSize;
      // CSSOM, not a style attribute: allowed by the CSP. The frame takes the picture's shape.
      this.frame.style.aspectRatio = running && width && height ? `${width} / ${height}` : "";
      if (!running) this.stopSharing();
      this.update();
    });
    this.update();
  }

  update() {
    const running = this.camera.running;
    this.frame.classList.toggle("camera__frame--on", running);
    replace(this.toggle, icon(running ? "ban" : "eye"), running ? "Turn camera off" : "Turn camera on");
    const sharing = this.sharing !== null;
    this.share.setAttribute("aria-pressed", String(sharing));
    replace(this.share, icon(sharing ? "ban" : "live"), sharing ? "Stop sharing" : "Share live video");
    const [tone, iconName, text] = LIVE_CHIPS[this.liveState] ?? LIVE_CHIPS.stopped;
    replace(this.status,
      chip(running ? "ok" : "neutral", running ? "check" : "circle", running ? "Camera on" : "Camera off", { "data-camera": running ? "on" : "off" }),
      chip(tone, iconName, text, { "data-live": this.liveState }));
  }

  setLiveState(state) {
    this.liveState = state;
    this.update();
  }

  /** Share the camera as the batch's main stream (the batch id is its stream id). */
  async startSharing() {
    const sharing = { session: null, stopping: false };
    this.sharing = sharing;
    this.setLiveState("connecting");
    const onState = (connection) => {
      if (this.sharing === sharing && !sharing.stopping && LIVE_STATES[connection]) this.setLiveState(LIVE_STATES[connection]);
    };
    try {
      sharing.session = await publish(this.batchId, [this.camera.track], { stream: this.camera.stream, onState });
    } catch (error) {
      if (this.sharing === sharing) this.stopSharing();
      throw error;
    }
    if (this.sharing !== sharing) sharing.session.close(); // stopped while connecting
  }

  /**
   * End the live session (if any), then close its connection; only then does the panel say
   * it is no longer shared. Safe to call twice.
   */
  async stopSharing() {
    const sharing = this.sharing;
    if (!sharing || sharing.stopping) return;
    sharing.stopping = true;
    await sharing.session?.close();
    if (this.sharing !== sharing) return;
    this.sharing = null;
    this.setLiveState("stopped");
  }

  showError(error) {
    replace(this.message, icon("alert"), h("span", {}, error?.detail ?? error?.message ?? String(error)));
    this.message.hidden = false;
  }

  /** Run `action`, showing its failure in the panel (and rethrowing it to the caller). */
  async attempt(action) {
    this.message.hidden = true;
    try {
      return await action();
    } catch (error) {
      this.showError(error);
      throw error;
    }
  }

  async toggleCamera() {
    this.toggle.disabled = true;
    try {
      if (this.camera.running) this.camera.stop();
      else await this.attempt(() => this.camera.start());
    } catch {
      // Shown in the panel.
    } finally {
      this.toggle.disabled = false;
    }
  }

  async toggleSharing() {
    this.share.disabled = true;
    try {
      if (this.sharing) {
        await this.stopSharing();
      } else {
        await this.attempt(async () => {
          await this.camera.start();
          await this.startSharing();
        });
      }
    } catch {
      // Shown in the panel.
    } finally {
      this.share.disabled = false;
      this.update();
    }
  }

  /** Scan a code for the scan input `spec` (the camera starts if it is off). */
  scan(spec) {
    return this.attempt(async () => {
      await this.camera.start();
      return this.scanner.scan(spec);
    });
  }

  /** The current picture as a JPEG (the camera starts if it is off). */
  photo() {
    return this.attempt(async () => {
      await this.camera.start();
      return this.camera.frame();
    });
  }

  /** An annotation event of the batch: those on this camera's stream are drawn and listed. */
  showAnnotation(event) {
    if (event.annotation?.stream_id === this.batchId) this.layer.apply(event.annotation);
  }

  /** Read the batch's annotations again (on opening, and after a reconnection). */
  async loadAnnotations() {
    const all = await api.get(`/batches/${encodeURIComponent(this.batchId)}/annotations`);
    this.layer.replaceAll(all.filter((annotation) => annotation.stream_id === this.batchId));
  }

  /** Stop sharing and turn the camera off (leaving the page). */
  destroy() {
    this.stopSharing();
    this.camera.stop();
  }
}
