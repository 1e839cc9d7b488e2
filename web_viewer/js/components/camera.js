// The device's camera: one stream shared by the preview, scanning, photos and live video.

import { h } from "../dom.js";

/** Why the camera could not start, in words an operator can act on. */
export class CameraError extends Error {}

const REFUSALS = {
  NotAllowedError: "Camera access was refused. Allow the camera for this site in the browser settings.",
  NotFoundError: "This device has no camera.",
  NotReadableError: "The camera is in use by another app. Close it and try again.",
  OverconstrainedError: "The camera cannot deliver a usable picture.",
};

export class Camera {
  constructor() {
    // Muted and inline: phones only play a camera preview without sound and in the page.
    this.video = h("video", { class: "camera__video", playsinline: true, autoplay: true, muted: true });
    this.video.muted = true;
    this.stream = null;
    this.listeners = new Set();
  }

  get running() {
    return this.stream !== null;
  }

  /** The video track, while the camera runs. */
  get track() {
    return this.stream?.getVideoTracks()[0] ?? null;
  }

  /** The picture's size in pixels (0×0 before the first frame). */
  get frameSize() {
    return { width: this.video.videoWidth, height: this.video.videoHeight };
  }

  /** `listener(running)` after every start and stop; returns a function that removes it. */
  onChange(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Start the back camera (if not running) and wait for its first frame. */
  async start() {
    if (this.stream) return;
    if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
      throw new CameraError("The camera is only available over https (or on localhost). Open Stepwise at its https address.");
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
    } catch (error) {
      throw new CameraError(REFUSALS[error?.name] ?? `The camera could not start (${error?.name ?? error}).`);
    }
    this.stream = stream;
    this.video.srcObject = stream;
    // A camera unplugged or taken by another app ends the track: show it as off.
    stream.getVideoTracks()[0]?.addEventListener("ended", () => this.stop());
    await this.video.play().catch(() => {});
    if (this.video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
      await new Promise((resolve) => this.video.addEventListener("loadeddata", resolve, { once: true }));
    }
    this.notify();
  }

  /** Stop the camera. Safe to call twice. */
  stop() {
    if (!this.stream) return;
    for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
    this.notify();
  }

  notify() {
    for (const listener of this.listeners) listener(this.running);
  }

  /** The current frame as an image (JPEG by default), at the camera's full resolution. */
  async frame(type = "image/jpeg", quality = 0.92) {
    if (!this.running) throw new CameraError("Turn the camera on first.");
    const { width, height } = this.frameSize;
    const canvas = h("canvas", { width, height });
    canvas.getContext("2d").drawImage(this.video, 0, 0, width, height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, type, quality));
    if (!blob) throw new CameraError("The camera picture could not be captured.");
    return blob;
  }
}
