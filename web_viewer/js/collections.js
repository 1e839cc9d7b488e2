// Lists of things the server identifies by id, kept in step with its answers and events.

/** Replace the item of `list` with the id of `item`, or append `item`. */
export function upsertById(list, item) {
  const index = list.findIndex((known) => known.id === item.id);
  if (index === -1) list.push(item);
  else list[index] = item;
}
