// The expert's controls beside the video: snapshot, recording, talk-back. Each says what
// happened in words; a server without the feature gets a clear "not available" message.

import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { icon } from "../components/icons.js";
import { timeOf } from "../components/record_parts.js";
import { publish } from "../webrtc.js";

/**
 * Publish the microphone to `streamId`: resolves to {close()} once the server accepted it.
 * The microphone is released when closed or refused.
 */
async function talk(streamId, { onState }) {
  const microphone = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  const release = () => {
    for (const track of microphone.getTracks()) track.stop();
  };
  try {
    const session = await publish(streamId, microphone.getAudioTracks(), { stream: microphone, onState });
    return {
      close() {
        release();
        session.close();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** Whether a refusal means the server has no such endpoint (rather than refusing this call). */
function unavailable(error) {
  return error?.status === 405 || (error?.status === 404 && error.kind === "not-found");
}

function say(element, iconName, ...text) {
  replace(element, icon(iconName), h("span", {}, ...text));
  element.hidden = false;
}

function tool(title, button, status) {
  return h("div", { class: "console-tool" }, h("h3", { class: "console-tool__title" }, title), button, status);
}

/**
 * The tools for `streamId`: {element, onEvent(event), close()}. `talkbackId()`: the stream
 * to talk to its operator on, as the server lists it (null while not live); `titles()`:
 * step id → title, for messages.
 */
export function mediaTools({ streamId, talkbackId, titles }) {
  const path = `/streams/${encodeURIComponent(streamId)}`;

  // ---------- Snapshot ----------
  const snapshotStatus = h("p", { class: "console-tool__status", role: "status", id: "snapshot-status", hidden: true });
  const snapshotButton = h(
    "button",
    {
      type: "button",
      class: "button",
      id: "take-snapshot",
      onClick: async () => {
        snapshotButton.disabled = true;
        try {
          const attachment = await api.post(`${path}/snapshots`, {});
          const step = attachment.step_id ? ` to “${titles().get(attachment.step_id) ?? attachment.step_id}”` : "";
          say(snapshotStatus, "check", `Snapshot saved${step}. `,
            h("a", { href: attachment.media.url, target: "_blank", rel: "noopener" }, "Open the snapshot"));
        } catch (error) {
          say(snapshotStatus, "alert", unavailable(error) ? "Snapshots are not available on this server." : `Snapshot failed: ${error.detail}`);
        } finally {
          snapshotButton.disabled = false;
        }
      },
    },
    icon("scan"),
    "Take snapshot",
  );

  // ---------- Recording ----------
  let recording = null;
  const recordStatus = h("p", { class: "console-tool__status", role: "status", id: "record-status" }, "Not recording.");
  const recordButton = h("button", { type: "button", class: "button", id: "record-toggle", onClick: () => toggleRecording() });
  function showRecording() {
    replace(recordButton, icon(recording ? "ban" : "circle"), recording ? "Stop recording" : "Start recording");
    recordButton.setAttribute("aria-pressed", recording ? "true" : "false");
  }
  function recordingStarted(started) {
    recording = started;
    say(recordStatus, "live", "Recording", started.started_at ? [" since ", timeOf(started.started_at)] : "", ".");
    showRecording();
  }
  function recordingStopped(stopped) {
    recording = null;
    if (stopped.status === "stored" && stopped.url) {
      say(recordStatus, "check", "Recording stored in the batch record. ", h("a", { href: stopped.url, target: "_blank", rel: "noopener" }, "Open the recording"));
    } else if (stopped.status === "failed") {
      say(recordStatus, "alert", `Recording failed: ${stopped.problem ?? "no file was stored"}.`);
    } else {
      say(recordStatus, "check", "Recording stopped.");
    }
    showRecording();
  }
  async function toggleRecording() {
    recordButton.disabled = true;
    try {
      if (recording) {
        recordingStopped(await api.post(`${path}/recordings/${encodeURIComponent(recording.id)}/stop`, {}));
      } else {
        recordingStarted(await api.post(`${path}/recordings`, {}));
      }
    } catch (error) {
      say(recordStatus, "alert", unavailable(error) ? "Recording is not available on this server." : `Recording: ${error.detail}`);
    } finally {
      recordButton.disabled = false;
    }
  }
  showRecording();

  // ---------- Talk-back ----------
  let talking = null;
  const talkStatus = h("p", { class: "console-tool__status", role: "status", id: "talk-status" }, "Microphone off.");
  const talkButton = h("button", { type: "button", class: "button", id: "talk-toggle", "aria-pressed": "false", onClick: () => toggleTalk() });
  function showTalk(on) {
    replace(talkButton, icon(on ? "ban" : "user"), on ? "Stop talking" : "Talk to the operator");
    talkButton.setAttribute("aria-pressed", on ? "true" : "false");
  }
  function stopTalking(message = "Microphone off.") {
    talking?.close();
    talking = null;
    say(talkStatus, "offline", message);
    showTalk(false);
  }
  async function toggleTalk() {
    if (talking) {
      stopTalking();
      return;
    }
    const target = talkbackId();
    if (!target) {
      say(talkStatus, "offline", "Talk-back is possible while the stream is live.");
      return;
    }
    talkButton.disabled = true;
    say(talkStatus, "reconnect", "Connecting the microphone…");
    try {
      talking = await talk(target, {
        onState: (state) => {
          if (state === "connected") say(talkStatus, "live", "Talking: the operator hears you.");
          if (state === "failed") stopTalking("Talk-back lost its connection. Try again.");
        },
      });
      showTalk(true);
    } catch (error) {
      const reason = error?.name === "NotAllowedError"
        ? "The browser refused the microphone: allow it for this site and try again."
        : error?.name === "NotFoundError"
          ? "No microphone was found on this computer."
          : unavailable(error)
            ? "Talk-back is not available on this server."
            : `Talk-back refused by the server: ${error?.detail ?? error}`;
      say(talkStatus, "alert", reason);
      showTalk(false);
    } finally {
      talkButton.disabled = false;
    }
  }
  showTalk(false);

  const element = h(
    "section",
    { class: "panel console-tools", "aria-labelledby": "console-tools-title" },
    h("h2", { id: "console-tools-title" }, "Capture and talk"),
    h("div", { class: "console-tools__row" },
      tool("Snapshot", snapshotButton, snapshotStatus),
      tool("Recording", recordButton, recordStatus),
      tool("Talk-back", talkButton, talkStatus)),
  );

  return {
    element,
    /** Follow recordings started or stopped by someone else. */
    onEvent(event) {
      if (event.type !== "recording" || event.recording?.stream_id !== streamId) return;
      if (event.action === "started" && !recording) recordingStarted(event.recording);
      if (event.action === "stopped" && recording?.id === event.recording.id) recordingStopped(event.recording);
    },
    close() {
      if (talking) stopTalking();
    },
  };
}
