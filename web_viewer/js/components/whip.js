// Publishing the camera by WHIP (RFC 9725): one SDP offer POSTed, the answer back, and a
// DELETE of the session's Location to end it. The server takes no trickle ICE, so the offer
// carries every candidate, and it relays VP8 only, so VP8 is offered first.

import { sendBody } from "./send_body.js";

const SDP = "application/sdp";
const GATHERING_LIMIT_MS = 5000;

export class WhipPublisher {
  /** `onState(state)`: "connecting" | "live" | "interrupted" | "failed" | "stopped". */
  constructor(streamId, { onState }) {
    this.streamId = streamId;
    this.onState = onState;
    this.pc = null;
    this.location = null;
  }

  get publishing() {
    return this.pc !== null;
  }

  /** Publish `track` (of `stream`); throws ApiError if the server refuses the offer. */
  async start(track, stream) {
    if (this.pc) return;
    const pc = new RTCPeerConnection();
    this.pc = pc;
    this.onState("connecting");
    try {
      const transceiver = pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
      preferVp8(transceiver);
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const response = await sendBody("POST", `/streams/${encodeURIComponent(this.streamId)}/whip`, {
        body: pc.localDescription.sdp,
        contentType: SDP,
        accept: SDP,
      });
      this.location = response.headers.get("Location");
      await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
    } catch (error) {
      this.close();
      throw error;
    }
    pc.addEventListener("connectionstatechange", () => this.followConnection(pc));
    this.followConnection(pc);
  }

  followConnection(pc) {
    if (pc !== this.pc) return;
    const state = {
      connected: "live",
      disconnected: "interrupted",
      failed: "failed",
    }[pc.connectionState];
    if (state) this.onState(state);
  }

  /** End the session on the server, then close the connection. Safe to call twice. */
  async stop() {
    const location = this.location;
    this.location = null;
    if (location) {
      try {
        await sendBody("DELETE", location, { accept: "*/*" });
      } catch {
        // Already ended by the server (it ends sessions whose peer went away): nothing to do.
      }
    }
    this.close();
  }

  close() {
    if (!this.pc) return;
    this.pc.close();
    this.pc = null;
    this.location = null;
    this.onState("stopped");
  }
}

function preferVp8(transceiver) {
  const codecs = RTCRtpSender.getCapabilities?.("video")?.codecs ?? [];
  const vp8 = codecs.filter((codec) => codec.mimeType === "video/VP8");
  if (!vp8.length || typeof transceiver.setCodecPreferences !== "function") return;
  const rest = codecs.filter((codec) => codec.mimeType !== "video/VP8");
  transceiver.setCodecPreferences([...vp8, ...rest]);
}

/** Wait until ICE gathering completes (or a few seconds: offer what was found by then). */
function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, GATHERING_LIMIT_MS);
    function done() {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    }
    function check() {
      if (pc.iceGatheringState === "complete") done();
    }
    pc.addEventListener("icegatheringstatechange", check);
  });
}
