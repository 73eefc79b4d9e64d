const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Heroku paths take `{x_id_or_name}`: a UUID means the id, anything else the name.
 * Names are lowercase, so lookups are too.
 */
export function idOrNameWhere(idOrName: string): { id: string } | { name: string } {
  const value = idOrName.toLowerCase();
  return UUID.test(value) ? { id: value } : { name: value };
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
