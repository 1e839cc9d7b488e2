// WebRTC for the expert console: watch a stream by WHEP, talk back by WHIP. The server takes
// one SDP offer with every ICE candidate in it (no trickle) and answers 201 with a Location
// that ends the session when DELETEd.

import { sendBody } from "../components/send_body.js";

const SDP = "application/sdp";
// Host candidates come in milliseconds; a slow STUN server must not hold the offer forever.
const GATHERING_LIMIT_MS = 3000;

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    }, GATHERING_LIMIT_MS);
    pc.addEventListener("icegatheringstatechange", done);
  });
}

/** Send the complete offer of `pc` to a WHIP/WHEP endpoint; apply the answer; the Location. */
async function negotiate(pc, path) {
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const response = await sendBody("POST", path, { body: pc.localDescription.sdp, contentType: SDP, accept: SDP });
  await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
  return response.headers.get("Location");
}

/**
 * End a WHIP/WHEP session, then close its connection: closed first, the server would notice
 * the peer leaving and end the session itself, and the DELETE would find nothing.
 */
async function end(pc, location) {
  try {
    if (location) await sendBody("DELETE", location, { accept: "*/*" });
  } catch {
    // Already ended by the server (the stream ended, or the peer went away): nothing to do.
  } finally {
    pc.close();
  }
}

/**
 * Watch a stream: resolves to {stream, close()} once the server answered. `onState(state)`
 * follows the connection ("connecting", "connected", "disconnected", "failed", "closed").
 * `close({ended: true})` only closes the connection: the server already ended the session.
 */
export async function watch(streamId, { onState } = {}) {
  const pc = new RTCPeerConnection();
  pc.addTransceiver("video", { direction: "recvonly" });
  const stream = new MediaStream();
  pc.addEventListener("track", (event) => stream.addTrack(event.track));
  pc.addEventListener("connectionstatechange", () => onState?.(pc.connectionState));
  let location = null;
  try {
    location = await negotiate(pc, `/streams/${encodeURIComponent(streamId)}/whep`);
  } catch (error) {
    pc.close();
    throw error;
  }
  let closed = false;
  return {
    stream,
    close({ ended = false } = {}) {
      if (closed) return;
      closed = true;
      end(pc, ended ? null : location);
    },
  };
}

/**
 * Publish the microphone to `streamId` (talk-back): resolves to {close()} once the server
 * accepted it. The microphone is released when closed or refused.
 */
export async function talk(streamId, { onState } = {}) {
  const microphone = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  const pc = new RTCPeerConnection();
  for (const track of microphone.getAudioTracks()) {
    pc.addTransceiver(track, { direction: "sendonly", streams: [microphone] });
  }
  pc.addEventListener("connectionstatechange", () => onState?.(pc.connectionState));
  const release = () => {
    for (const track of microphone.getTracks()) track.stop();
    pc.close();
  };
  let location = null;
  try {
    location = await negotiate(pc, `/streams/${encodeURIComponent(streamId)}/whip`);
  } catch (error) {
    release();
    throw error;
  }
  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      for (const track of microphone.getTracks()) track.stop();
      end(pc, location);
    },
  };
}
