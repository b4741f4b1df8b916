// Kafka headers every message of the protocol carries (docs/protocol.md, "Headers"):
// what it is, which protocol version, and the saga it belongs to. Built here only.
import { PROTOCOL_VERSION } from './protocol';

export type WireMessageType = 'command' | 'reply' | 'lifecycle-event' | 'dead-letter' | 'start-saga';

export function wireHeaders(messageType: WireMessageType, sagaId?: string, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { 'message-type': messageType, 'protocol-version': String(PROTOCOL_VERSION), ...extra };
  if (sagaId !== undefined) headers['saga-id'] = sagaId;
  return headers;
}
