// The outbox's IndexedDB database: one object store of submissions, keyed by the order in
// which they were saved. Survives reloads and closed tabs; a promise-shaped wrapper only.

const NAME = "stepwise-outbox";
const VERSION = 1;
const STORE = "submissions";

export class SubmissionStore {
  constructor() {
    this.opening = null;
  }

  database() {
    this.opening ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return this.opening;
  }

  /** Run `work(store)` in one transaction; answers what its last request gave. */
  async transaction(mode, work) {
    const db = await this.database();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request?.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  /** Save a new entry; answers its `seq`. */
  insert(entry) {
    return this.transaction("readwrite", (store) => store.add(entry));
  }

  update(entry) {
    return this.transaction("readwrite", (store) => store.put(entry));
  }

  remove(seq) {
    return this.transaction("readwrite", (store) => store.delete(seq));
  }

  /** Every entry, in the order saved. */
  all() {
    return this.transaction("readonly", (store) => store.getAll());
  }

  get(seq) {
    return this.transaction("readonly", (store) => store.get(seq));
  }
}
