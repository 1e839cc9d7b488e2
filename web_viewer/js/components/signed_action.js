// An action that needs an e-signature: the dialog asks for it, the request carries it.
// Refusals of the signature itself stay in the dialog; any other refusal is handed back
// once the dialog has closed, so the page can show it where it belongs.

import { ApiError } from "../api.js";
import { askSignature } from "./signature_dialog.js";

/**
 * Ask `user` to sign `title` with `meaning`, then `send(signature)` (a promise of the answer).
 * Resolves {signed, answer, error}: `answer` when sent, `error` (an ApiError) when refused
 * for another reason than the signature, neither when cancelled.
 */
export async function signAndSend({ title, meaning, user, send, details = null }) {
  let answer = null;
  let error = null;
  const signed = await askSignature({
    title,
    meaning,
    signer: user,
    details,
    onSign: async (signature) => {
      try {
        answer = await send(signature);
        return null;
      } catch (failure) {
        if (!(failure instanceof ApiError)) throw failure;
        if (isSignerProblem(failure)) return failure.detail;
        error = failure;
        return null;
      }
    },
  });
  return { signed: signed && !error, answer, error };
}

/** The signature was refused (wrong password, not allowed to sign this): the signer can fix it. */
function isSignerProblem(error) {
  if (error.status === 403) return true;
  return error.errors.length > 0 && error.errors.every((entry) => entry.field?.startsWith("signature"));
}
