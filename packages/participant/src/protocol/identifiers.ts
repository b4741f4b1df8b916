/**
 * Names of sagas, steps, groups and participants, and command types. They end
 * up in topic names, message ids and timer ids, hence the narrow alphabet (no
 * `:` — ids are `:`-separated).
 */
export const IDENTIFIER_PATTERN = /^[a-zA-Z][a-zA-Z0-9_.-]{0,99}$/;
