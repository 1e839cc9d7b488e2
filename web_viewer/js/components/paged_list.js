// A list read a page at a time: the first page, then "Load more" for each next one (the
// server's Link rel="next"). The count says how many match: the server's total, or "more
// than N" where it stopped counting, never just the rows loaded so far.

import { api } from "../api.js";
import { h, replace } from "../dom.js";

const MAX_LIMIT = 500;

export class PagedList {
  /**
   * `render(items)` draws the loaded rows; `empty(filtered)` what shows when none match;
   * `nouns` are the singular and plural ("batch", "batches").
   */
  constructor({ render, empty, nouns, onError }) {
    this.render = render;
    this.empty = empty;
    this.nouns = nouns;
    this.onError = onError;
    this.items = [];
    this.next = null;
    this.total = null;
    this.moreThan = null;
    this.filtered = false;
    this.latest = 0;
    this.count = h("p", { class: "list-count", role: "status" });
    this.body = h("div", { class: "table-wrap" });
    this.more = h("button", { type: "button", class: "button", onClick: () => this.loadMore().catch(this.onError) }, "Load more");
    this.footer = h("div", { class: "list-more" }, this.more);
    this.more.hidden = true;
  }

  /** The count, rows and "Load more", to place on the page. */
  get parts() {
    return [this.count, this.body, this.footer];
  }

  /**
   * Load the first page of `path` (a list path with its filters). `keep`: as many rows as
   * are shown now (a live refresh keeps what the user scrolled to). Answers false when a
   * newer load overtook this one.
   */
  async load(path, { filtered = false, keep = false } = {}) {
    const asked = ++this.latest;
    const limit = keep ? Math.min(MAX_LIMIT, Math.max(50, this.items.length)) : null;
    const page = await api.getPage(limit ? withLimit(path, limit) : path);
    if (asked !== this.latest) return false;
    Object.assign(this, { items: page.items, next: page.next, total: page.total, moreThan: page.moreThan, filtered });
    this.draw();
    return true;
  }

  async loadMore() {
    if (!this.next) return;
    const asked = this.latest;
    const page = await api.getPage(this.next);
    if (asked !== this.latest) return;
    this.items = [...this.items, ...page.items];
    this.next = page.next;
    this.draw();
  }

  draw() {
    const [one, many] = this.nouns;
    const suffix = this.filtered ? " match the filter" : "";
    if (this.moreThan !== null) {
      this.count.textContent = `Showing ${this.items.length} of more than ${this.moreThan.toLocaleString()} ${many}${suffix}`;
    } else {
      const total = this.total ?? this.items.length;
      const noun = total === 1 ? one : many;
      this.count.textContent = this.items.length < total
        ? `Showing ${this.items.length} of ${total.toLocaleString()} ${noun}${suffix}`
        : `${total} ${noun}${suffix}`;
    }
    replace(this.body, this.items.length ? this.render(this.items) : this.empty(this.filtered));
    this.more.hidden = !this.next;
  }
}

function withLimit(path, limit) {
  return `${path}${path.includes("?") ? "&" : "?"}limit=${limit}`;
}
