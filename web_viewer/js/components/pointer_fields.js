// The editor's fields by the JSON pointer of what they edit, so that the server's refusals
// (422, each with the pointer of its field) appear at the field they concern; a pointer below
// any field (a limit inside a limits group) goes to the nearest field above it.

export class PointerFields {
  constructor() {
    this.fields = new Map();
  }

  clear() {
    this.fields.clear();
  }

  /** `field`: {control, setError(message|null)}. */
  add(pointer, field) {
    this.fields.set(pointer, field);
    return field;
  }

  /** The field at `pointer` or the nearest one above it; null if none. */
  find(pointer) {
    let at = pointer;
    while (at) {
      const found = this.fields.get(at);
      if (found) return found;
      at = at.slice(0, at.lastIndexOf("/"));
    }
    return null;
  }

  /**
   * Show `problems` ([{pointer, message}]) at their fields (several at one field join);
   * answers the problems no field on screen takes.
   */
  show(problems) {
    for (const field of this.fields.values()) field.setError(null);
    const messages = new Map();
    const unplaced = [];
    for (const problem of problems) {
      const field = this.find(problem.pointer);
      if (!field) {
        unplaced.push(problem);
        continue;
      }
      messages.set(field, [...(messages.get(field) ?? []), problem.message]);
    }
    for (const [field, list] of messages) field.setError(list.join(" "));
    return unplaced;
  }
}
