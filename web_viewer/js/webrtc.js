// Live video with the server: publish by WHIP (RFC 9725), watch by WHEP. The server takes one
// SDP offer with every ICE candidate in it (no trickle), relays VP8 video only, and answers
// 201 with a Location that ends the session when DELETEd.

import { api } from "./api.js";

const SDP = "application/sdp";
// Host candidates come in milliseconds; a slow STUN server must not hold the offer forever.
const GATHERING_LIMIT_MS = 3000;

/**
 * Publish `tracks` (of `stream`) as `streamId`: resolves to a Session once the server accepted
 * the offer; throws ApiError if it refused. `onState(state)` follows the connection
 * ("connecting", "connected", "disconnected", "failed"). The tracks stay the caller's.
 */
export async function publish(streamId, tracks, { stream, onState } = {}) {
  const pc = connection(onState);
  for (const track of tracks) {
    const transceiver = pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
    if (track.kind === "video") preferVp8(transceiver);
  }
  return new Session(pc, await negotiate(pc, `/streams/${encodeURIComponent(streamId)}/whip`));
}

/**
 * Watch `streamId`: resolves to a Session, whose `stream` plays the video, once the server
 * answered; throws ApiError if it refused. `onState` as for publish().
 */
export async function watch(streamId, { onState } = {}) {
  const pc = connection(onState);
  pc.addTransceiver("video", { direction: "recvonly" });
  const stream = new MediaStream();
  pc.addEventListener("track", (event) => stream.addTrack(event.track));
  return new Session(pc, await negotiate(pc, `/streams/${encodeURIComponent(streamId)}/whep`), stream);
}

/** One WHIP or WHEP session: its connection and the Location that ends it. */
class Session {
  constructor(pc, location, stream = null) {
    this.pc = pc;
    this.location = location;
    this.stream = stream;
  }

  /**
   * End the session on the server, then close the connection: closed first, the server would
   * notice the peer leaving and end the session itself, and the DELETE would find nothing.
   * `ended`: the server already ended it, only close. Safe to call twice.
   */
  async close({ ended = false } = {}) {
    const location = this.location;
    this.location = null;
    try {
      if (location && !ended) await api.send("DELETE", location, { accept: "*/*" });
    } catch {
      // Already ended by the server (the stream ended, or the peer went away): nothing to do.
    } finally {
      this.pc.close();
    }
  }
}

function connection(onState) {
  const pc = new RTCPeerConnection();
  pc.addEventListener("connectionstatechange", () => onState?.(pc.connectionState));
  return pc;
}

/** Send the complete offer of `pc`; apply the answer; the session's Location. */
async function negotiate(pc, path) {
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const response = await api.send("POST", path, { body: pc.localDescription.sdp, contentType: SDP, accept: SDP });
    await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
    return response.headers.get("Location");
  } catch (error) {
    pc.close();
    throw error;
  }
}

/** Wait until ICE gathering completes, or the limit: offer what was found by then. */
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

function preferVp8(transceiver) {
  const codecs = RTCRtpSender.getCapabilities?.("video")?.codecs ?? [];
  const vp8 = codecs.filter((codec) => codec.mimeType === "video/VP8");
  if (!vp8.length || typeof transceiver.setCodecPreferences !== "function") return;
  const rest = codecs.filter((codec) => codec.mimeType !== "video/VP8");
  transceiver.setCodecPreferences([...vp8, ...rest]);
}
