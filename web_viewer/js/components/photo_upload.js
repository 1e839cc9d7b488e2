// Photos for the record: stored by POST /media (the image bytes as the body, sent through the
// outbox, see offline/submit.js), whose id is the value of a photo input.

import { h } from "../dom.js";

const STORED_TYPES = new Set(["image/jpeg", "image/png"]);

/**
 * A picked or phone-camera file as a JPEG or PNG: other formats (HEIC, WebP…) are redrawn
 * as JPEG, so the server gets a type it stores.
 */
export async function storableImage(file) {
  if (STORED_TYPES.has(file.type)) return file;
  const bitmap = await createImageBitmap(file);
  const canvas = h("canvas", { width: bitmap.width, height: bitmap.height });
  canvas.getContext("2d").drawImage(bitmap, 0, 0);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
  if (!blob) throw new Error("The photo could not be read.");
  return blob;
}
