// Dead letters: a message that cannot be processed is published, verbatim and with the
// reason, to <prefix>.dead-letter, so its partition keeps moving and nothing is lost.
import type { InboundMessage, OutboundMessage } from './kafka-bus';

export function deadLetterMessage(topic: string, source: InboundMessage, reason: string, by: string, now: Date): OutboundMessage {
  return {
    topic,
    key: source.key ?? `${source.topic}:${source.partition}:${source.offset}`,
    value: JSON.stringify({
      reason,
      source: { topic: source.topic, partition: source.partition, offset: source.offset },
      original: { key: source.key, value: source.value ? source.value.toString('utf8') : null, headers: source.headers },
      deadLetteredAt: now.toISOString(),
      by,
    }),
    headers: { 'dead-letter-reason': reason.slice(0, 1000), 'source-topic': source.topic },
  };
}
